// Atoms that name the operations of the node's actors (CAF 0.17: at most 10
// characters each). CAF predefines get_atom, put_atom, ok_atom and others.
#pragma once

#include <caf/atom.hpp>

namespace covsigner::messages {

using create_atom = caf::atom_constant<caf::atom("create")>;
using transit_atom = caf::atom_constant<caf::atom("transit")>;
using lookup_atom = caf::atom_constant<caf::atom("lookup")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using run_atom = caf::atom_constant<caf::atom("run")>;
using submit_atom = caf::atom_constant<caf::atom("submit")>;
using poll_atom = caf::atom_constant<caf::atom("poll")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using wallet_atom = caf::atom_constant<caf::atom("wallet")>;
using height_atom = caf::atom_constant<caf::atom("height")>;
using outpoint_atom = caf::atom_constant<caf::atom("outpoint")>;
using sign_atom = caf::atom_constant<caf::atom("sign")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
using refresh_atom = caf::atom_constant<caf::atom("refresh")>;
using core_atom = caf::atom_constant<caf::atom("core")>;
using outcome_atom = caf::atom_constant<caf::atom("outcome")>;
using answers_atom = caf::atom_constant<caf::atom("answers")>;
using watch_atom = caf::atom_constant<caf::atom("watch")>;

} // namespace covsigner::messages
