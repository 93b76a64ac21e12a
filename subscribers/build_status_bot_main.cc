// build_status_bot: the example Mattermost outgoing-webhook bot ("#build" → a Markdown table of
// the latest build report). The logic is in subscribers/build_status_bot.h; this file parses
// flags and serves until SIGTERM or SIGINT.
#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "subscribers/build_status_bot.h"
#include "subscribers/http_endpoint.h"

namespace {

constexpr const char* kUsage =
    R"(build_status_bot: answers "#build" in Mattermost with the build report.

usage: build_status_bot --token TOKEN --report FILE [flags]

  --token TOKEN          the outgoing webhook's token (Mattermost shows it when the hook is made);
                         or the MATTERMOST_TOKEN environment variable
  --report FILE          the build report JSON, read on every request:
                         {"project","when","components":[{"name","run","failed","details"}]}
  --trigger WORD         the trigger word (default #build)
  --listen HOST:PORT     where to listen (default 127.0.0.1:8065; port 0: any free port)
  --tls-cert FILE        PEM certificate; with --tls-key, serve HTTPS
  --tls-key FILE         PEM private key
  --username NAME        the name to post as (default build-bot)
  --reply-as post|comment  post in the channel (default) or reply in the post's thread
  --help                 this text

A ready line "build_status_bot ready url=URL" goes to stderr.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace hookbroker::subscribers;
  BuildBotOptions bot;
  EndpointOptions endpoint;
  endpoint.port = 8065;
  if (const char* token = std::getenv("MATTERMOST_TOKEN")) bot.token = token;
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= args.size()) {
      std::cerr << "build_status_bot: " << flag << " needs a value (see --help)\n";
      return 2;
    }
    const std::string& value = args[++i];
    if (flag == "--token") {
      bot.token = value;
    } else if (flag == "--report") {
      bot.report_file = value;
    } else if (flag == "--trigger") {
      bot.trigger_word = value;
    } else if (flag == "--username") {
      bot.username = value;
    } else if (flag == "--reply-as" && (value == "post" || value == "comment")) {
      bot.response_type = value;
    } else if (flag == "--tls-cert") {
      endpoint.cert_file = value;
    } else if (flag == "--tls-key") {
      endpoint.key_file = value;
    } else if (flag == "--listen" && value.rfind(':') != std::string::npos) {
      const std::size_t colon = value.rfind(':');
      if (colon > 0) endpoint.host = value.substr(0, colon);
      try {
        endpoint.port = std::stoi(value.substr(colon + 1));
      } catch (const std::exception&) {
        std::cerr << "build_status_bot: --listen: expected HOST:PORT\n";
        return 2;
      }
    } else {
      std::cerr << "build_status_bot: bad flag or value: " << flag << " " << value << "\n";
      return 2;
    }
  }
  if (bot.token.empty() || bot.report_file.empty()) {
    std::cerr << "build_status_bot: --token and --report are required (see --help)\n";
    return 2;
  }

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const BuildStatusBot handler(bot);
  HttpEndpoint server(
      endpoint, [&handler](const CallbackRequest& request) { return handler.Handle(request); });
  if (auto started = server.Start(); !started.ok()) {
    std::cerr << "build_status_bot: " << started.error().message << "\n";
    return 1;
  }
  std::cerr << "build_status_bot ready url=" << server.Url() << std::endl;
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server.Stop();
  return 0;
}
