#include "app/cli/local_ranks.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "core/common/error.h"

namespace p2p::cli {

namespace {

std::atomic<int> gForwardSignal{0};

void rememberSignal(int signal) {
    gForwardSignal = signal;
}

// A port the kernel just handed out on loopback; closed again so that rank 0's rendezvous can take it.
int freeLoopbackPort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw Error("--nproc: cannot open a socket to find a free port");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    close(fd);
    if (!ok) throw Error("--nproc: cannot find a free port on 127.0.0.1");
    return ntohs(address.sin_port);
}

// This process's command line without --nproc (the ranks must not launch again).
std::vector<std::string> commandLineWithoutNproc() {
    std::ifstream file("/proc/self/cmdline", std::ios::binary);
    const std::string all((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::vector<std::string> args;
    for (size_t start = 0; start < all.size();) {
        const size_t end = all.find('\0', start);
        args.push_back(all.substr(start, end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    std::vector<std::string> kept;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--nproc") {
            ++i;
            continue;
        }
        if (args[i].rfind("--nproc=", 0) == 0) continue;
        kept.push_back(args[i]);
    }
    return kept;
}

std::string describeStatus(int status) {
    if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
    return "exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

int launchLocalRanks(int nproc, int timeoutSeconds) {
    const int port = freeLoopbackPort();
    const std::vector<std::string> args = commandLineWithoutNproc();
    std::cout << "starting " << nproc << " ranks on this machine (rendezvous 127.0.0.1:" << port << ")\n"
              << std::flush;
    const pid_t launcher = getpid();
    std::vector<pid_t> ranks;
    for (int rank = 0; rank < nproc; ++rank) {
        const pid_t pid = fork();
        if (pid < 0) {
            for (pid_t p : ranks) kill(p, SIGKILL);
            throw Error("--nproc: cannot start rank " + std::to_string(rank));
        }
        if (pid == 0) {
            // A rank ends with its launcher, whatever killed it.
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != launcher) _exit(1);
            setenv("RANK", std::to_string(rank).c_str(), 1);
            setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
            setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
            setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
            setenv("MASTER_ADDR", "127.0.0.1", 1);
            setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
            // Rank 0 serves the rendezvous here, whatever torchrun variable the shell still holds.
            unsetenv("TORCHELASTIC_USE_AGENT_STORE");
            std::vector<char*> argv;
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            execv("/proc/self/exe", argv.data());
            std::cerr << "error: --nproc: cannot start " << args.front() << "\n";
            _exit(127);
        }
        ranks.push_back(pid);
    }

    // Ctrl+C reaches the ranks through the terminal; a SIGTERM sent to the launcher alone is passed on.
    auto previousInt = std::signal(SIGINT, rememberSignal);
    auto previousTerm = std::signal(SIGTERM, rememberSignal);
    using Clock = std::chrono::steady_clock;
    std::vector<bool> running(ranks.size(), true);
    int remaining = nproc;
    int exitCode = 0;
    bool failed = false;
    Clock::time_point killAt = Clock::time_point::max();
    while (remaining > 0) {
        // Ctrl+C already reached every rank from the terminal: passing it on would count as a second one.
        if (gForwardSignal.exchange(0) == SIGTERM)
            for (size_t i = 0; i < ranks.size(); ++i)
                if (running[i]) kill(ranks[i], SIGTERM);
        int status = 0;
        const pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            for (size_t i = 0; i < ranks.size(); ++i) {
                if (ranks[i] != pid) continue;
                running[i] = false;
                --remaining;
                const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
                if (!ok && !failed) {
                    failed = true;
                    exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
                    std::cerr << "pix2pix train --nproc: rank " << i << " (pid " << pid << ") "
                              << describeStatus(status);
                    if (remaining > 0)
                        std::cerr << "; the other ranks get " << timeoutSeconds
                                  << " s to notice and save, then are killed";
                    std::cerr << "\n" << std::flush;
                    killAt = Clock::now() + std::chrono::seconds(timeoutSeconds);
                } else if (!ok && exitCode == 0) {
                    exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
                }
            }
            continue;
        }
        if (Clock::now() >= killAt) {
            for (size_t i = 0; i < ranks.size(); ++i)
                if (running[i]) {
                    std::cerr << "pix2pix train --nproc: killing rank " << i << " (pid " << ranks[i] << ")\n";
                    kill(ranks[i], SIGKILL);
                }
            killAt = Clock::time_point::max();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::signal(SIGINT, previousInt);
    std::signal(SIGTERM, previousTerm);
    return exitCode;
}

}  // namespace p2p::cli
