// A node's actors in this process behind an http_server on 127.0.0.1 with
// the given settings, for HTTP tests that need non-default settings.
#pragma once

#include "actors/node_bootstrap.hpp"
#include "messages/type_ids.hpp"
#include "tests/support/temp_dir.hpp"
#include "transport/http_server.hpp"

#include <caf/all.hpp>
#include <httplib.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace covsigner::test_support {

struct node_test_config : caf::actor_system_config {
  node_test_config() {
    add_message_types<caf::id_block::covsigner>();
    set("scheduler.max-threads", 2);
  }
};

class http_node {
public:
  /// `prepare_data_dir` may seed the data dir before the node loads it.
  explicit http_node(transport::http_settings settings,
                     const std::function<void(const std::filesystem::path&)>& prepare_data_dir = {}) {
    if (prepare_data_dir)
      prepare_data_dir(dir_.path());
    actors::node_options options;
    options.data_dir = dir_.path();
    auto started = actors::start_node(system_, options);
    if (!std::holds_alternative<actors::running_node>(started))
      throw std::runtime_error("node did not start: " + std::get<std::string>(started));
    node_ = std::move(std::get<actors::running_node>(started));
    client_ = std::make_unique<transport::node_client>(system_, node_.node, node_.published);
    server_ = std::make_unique<transport::http_server>(*client_, std::move(settings));
    auto port = server_->start(0);
    if (!std::holds_alternative<int>(port))
      throw std::runtime_error(std::get<std::string>(port));
    port_ = std::get<int>(port);
  }
  ~http_node() {
    server_->stop();
    server_.reset();
    client_.reset();
    actors::stop_node(system_, node_);
  }
  http_node(const http_node&) = delete;
  http_node& operator=(const http_node&) = delete;

  int port() const { return port_; }

  /// Starts a second node's server on `port` and hands `check` the result
  /// of start() (for bind-failure tests).
  template <class Check>
  static void with_server_on(int port, Check check) {
    node_test_config cfg;
    caf::actor_system system{cfg};
    temp_dir dir;
    actors::node_options options;
    options.data_dir = dir.path();
    auto started = actors::start_node(system, options);
    if (!std::holds_alternative<actors::running_node>(started))
      throw std::runtime_error("node did not start");
    auto& node = std::get<actors::running_node>(started);
    {
      transport::node_client client{system, node.node};
      transport::http_server server{client, transport::http_settings{}};
      check(server.start(port));
    }
    actors::stop_node(system, node);
  }

  std::unique_ptr<httplib::Client> client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_read_timeout(30, 0);
    return c;
  }

private:
  node_test_config cfg_;
  caf::actor_system system_{cfg_};
  temp_dir dir_;
  actors::running_node node_;
  std::unique_ptr<transport::node_client> client_;
  std::unique_ptr<transport::http_server> server_;
  int port_ = 0;
};

} // namespace covsigner::test_support
