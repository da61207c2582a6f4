#include "transport/overflow_responder.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace covsigner::transport {

namespace {

constexpr std::size_t max_head_bytes = 8192;

bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size())
    return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i])
      return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

canned_reply overloaded(int retry_after) {
  canned_reply r;
  r.status = 503;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "server overloaded\n";
  r.headers = {{"Retry-After", std::to_string(retry_after)}, {"X-Content-Type-Options", "nosniff"}};
  return r;
}

} // namespace

std::string render_reply(const canned_reply& reply, bool head) {
  std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " +
                    std::string{reason_phrase(reply.status)} + "\r\n";
  if (!reply.content_type.empty())
    out += "Content-Type: " + reply.content_type + "\r\n";
  for (const auto& [name, value] : reply.headers)
    out += name + ": " + value + "\r\n";
  out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  if (!head)
    out += reply.body;
  return out;
}

std::optional<request_head> parse_request_head(std::string_view head) {
  auto end = head.find("\r\n\r\n");
  if (end == std::string_view::npos)
    end = head.find("\n\n");
  if (end == std::string_view::npos)
    return std::nullopt;
  head = head.substr(0, end);
  request_head r;
  auto line_end = head.find('\n');
  auto line = trim(head.substr(0, line_end));
  auto sp1 = line.find(' ');
  auto sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1)
    return r; // malformed: method and path stay empty, the 503 applies
  r.method = std::string{line.substr(0, sp1)};
  auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  r.path = std::string{target.substr(0, target.find('?'))};
  while (line_end != std::string_view::npos) {
    head = head.substr(line_end + 1);
    line_end = head.find('\n');
    auto header = head.substr(0, line_end);
    if (iequals_prefix(header, "authorization:"))
      r.authorization = std::string{trim(header.substr(14))};
  }
  return r;
}

struct overflow_responder::connection {
  int fd;
  std::chrono::steady_clock::time_point deadline;
  bool answered = false;
  std::string head;
};

overflow_responder::overflow_responder(quick_answer answer, overflow_settings settings)
  : answer_(std::move(answer)), settings_(settings) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  thread_ = std::thread([this] { run(); });
}

overflow_responder::~overflow_responder() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  thread_.join();
  ::close(wake_fd_);
}

void overflow_responder::adopt(int fd) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (!stopping_ && held_ + incoming_.size() < settings_.max_connections) {
      incoming_.push_back(fd);
      std::uint64_t one = 1;
      [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
      return;
    }
  }
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

std::size_t overflow_responder::answered() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return answered_;
}

void overflow_responder::run() {
  std::vector<connection> conns;
  std::vector<pollfd> fds;
  for (;;) {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      if (stopping_)
        break;
      auto now = std::chrono::steady_clock::now();
      for (int fd : incoming_)
        conns.push_back({fd, now + settings_.head_timeout, false, {}});
      incoming_.clear();
      held_ = conns.size();
    }
    fds.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    for (auto& c : conns)
      fds.push_back({c.fd, POLLIN, 0});
    ::poll(fds.data(), fds.size(), 50);
    if (fds[0].revents & POLLIN) {
      std::uint64_t drained;
      [[maybe_unused]] auto n = ::read(wake_fd_, &drained, sizeof drained);
    }
    auto now = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < conns.size(); ++i) {
      auto& c = conns[i];
      bool done = false;
      if (fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) {
        char buf[2048];
        auto n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0) {
          done = n == 0 || (errno != EAGAIN && errno != EINTR);
        } else if (!c.answered) {
          c.head.append(buf, static_cast<std::size_t>(n));
        }
      }
      if (!done && !c.answered) {
        auto head = parse_request_head(c.head);
        bool give_up = c.head.size() > max_head_bytes || now >= c.deadline;
        if (head || give_up) {
          std::optional<canned_reply> reply;
          if (head && !head->method.empty())
            reply = answer_(head->method, head->path, head->authorization);
          auto bytes = render_reply(reply ? *reply : overloaded(settings_.retry_after_seconds),
                                    head && head->method == "HEAD");
          // Counted before the client can see the reply: a client that has
          // read its answer to the end must find it in answered().
          {
            std::lock_guard<std::mutex> guard{mutex_};
            ++answered_;
          }
          // A fresh socket's send buffer holds this easily; never block.
          [[maybe_unused]] auto sent =
            ::send(c.fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
          ::shutdown(c.fd, SHUT_WR);
          c.answered = true;
          c.deadline = now + settings_.linger;
        }
      } else if (!done && now >= c.deadline) {
        done = true;
      }
      if (done) {
        ::close(c.fd);
        c.fd = -1;
      }
    }
    std::erase_if(conns, [](const connection& c) { return c.fd < 0; });
  }
  for (auto& c : conns)
    ::close(c.fd);
  std::lock_guard<std::mutex> guard{mutex_};
  for (int fd : incoming_)
    ::close(fd);
  incoming_.clear();
}

} // namespace covsigner::transport
