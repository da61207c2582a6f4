#include "transport/token_source.hpp"

#include "transport/auth.hpp"

#include <fstream>
#include <sstream>

namespace covsigner::transport {

std::variant<std::vector<std::string>, std::string>
load_tokens(const std::string& env_name, const std::string& env_value, const std::string& file) {
  auto from_env = trim_space(env_value);
  if (!from_env.empty() && !file.empty())
    return "both " + env_name + " and the token file [" + file + "] are set; use one";
  if (!from_env.empty())
    return std::vector<std::string>{std::string{from_env}};
  if (file.empty())
    return std::vector<std::string>{};
  std::ifstream in(file);
  if (!in)
    return "cannot read token file [" + file + "]";
  std::stringstream text;
  text << in.rdbuf();
  auto tokens = parse_token_lines(text.str());
  if (tokens.empty())
    return "token file [" + file + "] holds no token";
  return tokens;
}

} // namespace covsigner::transport
