// hooksink: the ready receiver for hookbroker callbacks. All logic lives in subscribers/hooksink.h;
// this file parses flags, runs it and waits for SIGTERM or SIGINT.
#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "subscribers/hooksink.h"

int main(int argc, char** argv) {
  using namespace hookbroker::subscribers;
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto options = ParseHooksinkArgs(args);
  if (!options) {
    std::cerr << "hooksink: " << options.error().message << "\n";
    return 2;
  }
  if (options->help) {
    std::cout << HooksinkUsage();
    return 0;
  }

  // Blocked before any thread starts, so every thread inherits the mask and sigwait() below is
  // the only place these signals are taken.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a closed stdout or peer is reported as EPIPE instead

  auto sink = Hooksink::Create(*std::move(options));
  if (!sink) {
    std::cerr << "hooksink: " << sink.error().message << "\n";
    return 1;
  }
  if (auto started = (*sink)->Start(); !started.ok()) {
    std::cerr << "hooksink: " << started.error().message << "\n";
    return 1;
  }
  std::cerr << "hooksink ready url=" << (*sink)->Url() << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cerr << "hooksink: stopping" << std::endl;
  (*sink)->Stop();
  return 0;
}
