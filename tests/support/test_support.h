#pragma once

// Shared helpers for the Qt Test suites: where ../shared is, tiny networks and tiny paired sets.

#include <QString>
#include <QStringList>

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "core/nn/networks.h"

namespace p2p::test {

// ../shared beside the checkout (or $P2P_SHARED_DIR), if present.
std::optional<std::string> sharedDir();
// QSKIP-friendly: the absolute path of ../shared/<relative>, or nullopt when it does not exist.
std::optional<std::string> sharedPath(const std::string& relative);

// Reads raw little-endian float32 NCHW data (the fixtures' input.bin / output.bin).
torch::Tensor readRawFloat32(const std::string& path, const std::vector<int64_t>& shape);

// ngf 8 / ndf 8 networks for fast tests.
GeneratorOptions tinyGeneratorOptions(const std::string& netG = "unet_128", Norm norm = Norm::Batch);

// Writes `count` aligned A|B pairs of size (2*size)x size into `folder` (created). A is a pattern of
// coloured rectangles, B a deterministic function of A, so a network can learn A->B.
std::vector<std::string> writeTinyAlignedSet(const std::string& folder, int count, int size = 64, int seed = 0);

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b);

// The pix2pix CLI as ctest passes it ($P2P_CLI), else the build tree's; empty if neither exists.
QString cliPath();

struct CliResult {
    int exitCode = -1;      // -1: ended by a signal or timed out
    bool crashed = false;   // ended by a signal (its own, not our timeout)
    bool timedOut = false;  // still running after the timeout: asked to end, then killed
    QString out, err;
};
// How runProgram runs a child.
struct ProgramOptions {
    int timeoutMs = 300000;
    QString workingDir;          // empty: this process's
    qint64 addressSpaceCap = 0;  // bytes (RLIMIT_AS), so a runaway allocation fails in the child; 0: none
};
// Runs a program to completion; after the timeout it is asked to end (SIGTERM, so a launcher such as torchrun
// can stop its children) and killed 15 s later.
CliResult runProgram(const QString& program, const QStringList& args, const ProgramOptions& options);
CliResult runProgram(const QString& program, const QStringList& args, int timeoutMs = 300000);
// runProgram of the CLI.
CliResult runCli(const QStringList& args, int timeoutMs = 300000);

}  // namespace p2p::test

// A skip that CI turns into a failure: when the environment variable `strictVar` is 1, the test fails with the
// same message instead of skipping, so a CI run cannot pass by skipping what it was meant to run.
//   P2P_TESTS_REQUIRE_SHARED=1        tests that need ../shared (or the built CLI) fail when it is missing
//   P2P_TESTS_REQUIRE_UNPRIVILEGED=1  permission tests fail when run as root (CI runs them as a plain user)
#define P2P_SKIP_UNLESS_REQUIRED(strictVar, message)                                   \
    do {                                                                              \
        if (qEnvironmentVariableIntValue(strictVar) == 1)                             \
            QFAIL(qPrintable(QStringLiteral("%1 (and %2=1 requires it)").arg(message, QStringLiteral(strictVar)))); \
        QSKIP(qPrintable(QString(message)));                                          \
    } while (false)

#define P2P_REQUIRE_SHARED(var, relative)                                                          \
    const auto var##_opt = ::p2p::test::sharedPath(relative);                                      \
    if (!var##_opt)                                                                                \
        P2P_SKIP_UNLESS_REQUIRED("P2P_TESTS_REQUIRE_SHARED",                                       \
                                 QStringLiteral("../shared/%1 is not present").arg(relative));     \
    const std::string var = *var##_opt
