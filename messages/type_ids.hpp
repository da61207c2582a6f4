// CAF 0.17 type-ID registration for every custom message type. Local
// messaging works without it; caf::io remoting needs it on both sides, so an
// embedder calls `cfg.add_message_types<caf::id_block::covsigner>()`.
#pragma once

#include "messages/chain_messages.hpp"
#include "messages/job_messages.hpp"
#include "messages/node.hpp"
#include "messages/signing.hpp"

#include <caf/type_id.hpp>

CAF_BEGIN_TYPE_ID_BLOCK(covsigner, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(covsigner, (covsigner::covenant::job))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::covenant::job_transition))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::covenant::step_result))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::covenant::wallet_chain_data))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::job_snapshot))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::store_result))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::transition_request))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::store_status))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::route_claim))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::claim_result))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::route_owner))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::registry_status))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::wallet_reply))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::registry_reply))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::chain_height))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::outpoint_reply))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::breaker_status))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::session_start))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::supervisor_status))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::signature_request))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::signature_reply))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::submit_command))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::poll_command))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::node_reply))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::readiness))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::node_core))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::certificate_issue))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::certificate_issue_reply))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::covenant::spend_authorization))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::spend_authorization_reply))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::authorization_answers))
  CAF_ADD_TYPE_ID(covsigner, (covsigner::messages::core_event))
CAF_END_TYPE_ID_BLOCK(covsigner)
