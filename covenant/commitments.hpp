// Destination and transaction-plan commitments (reference §5.5, §5.6):
// SHA-256 over the canonical JSON of a fixed field list, "0x"+hex. Field
// order is hash-significant (it mirrors the TypeScript services that
// compute the same values). Values are normalised (hex lowercased, network
// trimmed) before hashing.
#pragma once

#include "covenant/request.hpp"

#include <string>
#include <string_view>

namespace covsigner::covenant {

/// "0x" + hex("AC_MIGRATEV1") + lowercase revealer body.
std::string migration_extra_data(std::string_view revealer);

/// "0x" + hex(SHA-256(script bytes)), or nullopt when `script` is not
/// 0x-hex (used for depositScript, outputScript, nextCovenantScript).
std::optional<std::string> script_hash(std::string_view script);

/// {"reserve","epoch","route","revealer","vault","network",
///  "depositScriptHash","migrationExtraData"}
std::string migration_destination_commitment(const migration_destination_reservation& d);

/// {"reserve","epoch","route","revealer","vault","network",
///  "outputScriptHash","outputValueSats"}
std::string redeem_destination_commitment(const redeem_destination_reservation& d);

/// {"reserve","epoch","route","revealer","vault","network",
///  "nextCovenantScriptHash","nextMaturityHeight","outputValueSats"}
std::string renew_destination_commitment(const renew_destination_reservation& d);

/// {"planVersion","reserve","epoch","activeOutpointTxid","activeOutpointVout",
///  "destinationCommitmentHash","inputValueSats","destinationValueSats",
///  "anchorValueSats","feeSats","inputSequence","lockTime"}; reserve, epoch,
/// outpoint and destination hash come from the request.
std::string transaction_plan_commitment(const route_submit_request& request,
                                        const transaction_plan& plan);

} // namespace covsigner::covenant
