#include "persistence/unsynced_file_system.hpp"

namespace covsigner::persistence {

unsynced_file_system::unsynced_file_system(std::unique_ptr<file_system> inner)
  : inner_(std::move(inner)) {}

std::variant<std::string, io_error> unsynced_file_system::read_file(const path& p) {
  return inner_->read_file(p);
}

maybe_error unsynced_file_system::write_file_synced(const path& p, std::string_view bytes) {
  return inner_->write_file_unsynced(p, bytes);
}

maybe_error unsynced_file_system::write_file_unsynced(const path& p, std::string_view bytes) {
  return inner_->write_file_unsynced(p, bytes);
}

namespace {

class no_op_barrier final : public sync_barrier {
public:
  maybe_error sync() override { return std::nullopt; }
};

} // namespace

std::variant<std::unique_ptr<sync_barrier>, io_error>
unsynced_file_system::open_sync_barrier(const path&) {
  return std::make_unique<no_op_barrier>();
}

maybe_error unsynced_file_system::rename(const path& from, const path& to) {
  return inner_->rename(from, to);
}

maybe_error unsynced_file_system::rename_noreplace(const path& from, const path& to) {
  return inner_->rename_noreplace(from, to);
}

maybe_error unsynced_file_system::fsync_dir(const path&) { return std::nullopt; }

std::variant<std::vector<dir_entry>, io_error> unsynced_file_system::list_dir(const path& dir) {
  return inner_->list_dir(dir);
}

std::variant<dir_entry::kind, io_error> unsynced_file_system::entry_kind(const path& p) {
  return inner_->entry_kind(p);
}

maybe_error unsynced_file_system::remove(const path& p) { return inner_->remove(p); }

maybe_error unsynced_file_system::make_dir(const path& p) { return inner_->make_dir(p); }

std::variant<store_lock, io_error> unsynced_file_system::make_lock(const path& lock_file) {
  return inner_->make_lock(lock_file);
}

} // namespace covsigner::persistence
