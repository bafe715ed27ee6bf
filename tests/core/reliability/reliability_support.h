#pragma once

// Helpers of the reliability suites: the pix2pix CLI as a child process, and checks that what came back is a
// clean, documented exit (no signal, no sanitizer report, no uncaught exception) with a readable message.

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStringList>
#include <QtTest/QtTest>

#include "tests/support/test_support.h"

#include <unistd.h>

namespace p2p::test {

// True when this build is instrumented: children then need the sanitizer's address space (no rlimit) and
// more time.
constexpr bool kSanitizedBuild =
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

// A child's run, with the checks the reliability suites make of it.
struct ChildRun : CliResult {
    QString all() const { return out + err; }
    QString describe() const {
        return QStringLiteral("exit %1%2%3\n--- stdout:\n%4\n--- stderr:\n%5")
            .arg(exitCode)
            .arg(crashed ? QStringLiteral(" (crashed)") : QString())
            .arg(timedOut ? QStringLiteral(" (timed out)") : QString())
            .arg(out.right(4000), err.right(4000));
    }
    // Something a user must never see: a signal, a sanitizer report, an exception nobody caught.
    bool clean() const {
        static const char* const bad[] = {"AddressSanitizer", "LeakSanitizer",    "ThreadSanitizer",
                                          "runtime error:",   "terminate called", "Segmentation fault",
                                          "Aborted",          "core dumped"};
        if (crashed || timedOut) return false;
        for (const char* b : bad)
            if (err.contains(QLatin1String(b)) || out.contains(QLatin1String(b))) return false;
        return true;
    }
};

// Runs `pix2pix ARGS` to completion. The child's address space is capped (8 GiB, outside sanitizer builds),
// so that a decoder trusting a lying header fails here instead of taking the machine's memory.
inline ChildRun runPix2pix(const QStringList& args, int timeoutMs = 240000) {
    ProgramOptions options;
    options.timeoutMs = kSanitizedBuild ? timeoutMs * 4 : timeoutMs;
    if (!kSanitizedBuild) options.addressSpaceCap = qint64(8) << 30;
    return ChildRun{runProgram(cliPath(), args, options)};
}

// Some line of `text` contains every one of `parts`.
inline bool hasLineWith(const QString& text, const QStringList& parts) {
    for (const QString& line : text.split(QLatin1Char('\n'))) {
        bool all = true;
        for (const QString& p : parts) all = all && line.contains(p);
        if (all) return true;
    }
    return false;
}

// Whether file permissions bind this process: root (CAP_DAC_OVERRIDE) reads a chmod 000 folder anyway.
inline bool permissionsAreEnforced(const QString& scratchFolder) {
    const QString probe = scratchFolder + QStringLiteral("/.permission-probe");
    QDir().mkpath(probe);
    QFile::setPermissions(probe, QFileDevice::Permissions());
    const bool enforced = ::access(QFile::encodeName(probe).constData(), R_OK) != 0;
    QFile::setPermissions(probe, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QDir(probe).removeRecursively();
    return enforced;
}

}  // namespace p2p::test

// The child ended as documented: no crash, no sanitizer report, the expected exit code.
#define P2P_EXPECT_EXIT(run, code)                                                                     \
    do {                                                                                               \
        const auto& p2pChildRun = (run);                                                               \
        QVERIFY2(p2pChildRun.clean(), qPrintable(p2pChildRun.describe()));                             \
        QVERIFY2(p2pChildRun.exitCode == (code),                                                       \
                 qPrintable(QStringLiteral("expected exit %1; ").arg(code) + p2pChildRun.describe())); \
    } while (0)
