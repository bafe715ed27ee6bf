#include "tests/support/test_support.h"

#include <QFileInfo>
#include <QProcess>

#include <sys/resource.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace fs = std::filesystem;

namespace p2p::test {

std::optional<std::string> sharedDir() {
    if (const char* env = std::getenv("P2P_SHARED_DIR"); env && fs::is_directory(env)) return std::string(env);
    if (fs::is_directory(P2P_SHARED_DIR)) return fs::canonical(P2P_SHARED_DIR).string();
    return std::nullopt;
}

std::optional<std::string> sharedPath(const std::string& relative) {
    auto dir = sharedDir();
    if (!dir) return std::nullopt;
    fs::path p = fs::path(*dir) / relative;
    if (!fs::exists(p)) return std::nullopt;
    return p.string();
}

torch::Tensor readRawFloat32(const std::string& path, const std::vector<int64_t>& shape) {
    auto t = torch::empty(shape, torch::kFloat32);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    in.read(reinterpret_cast<char*>(t.data_ptr<float>()), static_cast<std::streamsize>(t.numel() * sizeof(float)));
    if (in.gcount() != static_cast<std::streamsize>(t.numel() * sizeof(float)))
        throw std::runtime_error(path + " is shorter than the expected shape");
    return t;
}

GeneratorOptions tinyGeneratorOptions(const std::string& netG, Norm norm) {
    GeneratorOptions o;
    o.netG = netG;
    o.ngf = 8;
    o.norm = norm;
    return o;
}

std::vector<std::string> writeTinyAlignedSet(const std::string& folder, int count, int size, int seed) {
    fs::create_directories(folder);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> coord(0, size - 1), colour(0, 255);
    std::vector<std::string> files;
    for (int i = 0; i < count; ++i) {
        cv::Mat a(size, size, CV_8UC3, cv::Scalar(40, 40, 40));
        for (int r = 0; r < 4; ++r) {
            cv::Point p1(coord(rng), coord(rng)), p2(coord(rng), coord(rng));
            cv::rectangle(a, p1, p2, cv::Scalar(colour(rng), colour(rng), colour(rng)), cv::FILLED);
        }
        cv::Mat b;
        cv::GaussianBlur(255 - a, b, cv::Size(5, 5), 0);
        cv::Mat pair;
        cv::hconcat(a, b, pair);
        const std::string path = (fs::path(folder) / (std::to_string(i + 1) + ".png")).string();
        cv::imwrite(path, pair);
        files.push_back(path);
    }
    return files;
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kFloat32) - b.to(torch::kFloat32)).abs().max().item<double>();
}

QString cliPath() {
    const QString env = qEnvironmentVariable("P2P_CLI");
    if (!env.isEmpty() && QFileInfo::exists(env)) return env;
    const QString built = QStringLiteral(P2P_BINARY_DIR "/app/pix2pix");
    return QFileInfo::exists(built) ? built : QString();
}

CliResult runCli(const QStringList& args, int timeoutMs) {
    return runProgram(cliPath(), args, timeoutMs);
}

CliResult runProgram(const QString& program, const QStringList& args, int timeoutMs) {
    ProgramOptions options;
    options.timeoutMs = timeoutMs;
    return runProgram(program, args, options);
}

CliResult runProgram(const QString& program, const QStringList& args, const ProgramOptions& options) {
    QProcess process;
    if (!options.workingDir.isEmpty()) process.setWorkingDirectory(options.workingDir);
    if (options.addressSpaceCap > 0) {
        const auto cap = rlim_t(options.addressSpaceCap);
        process.setChildProcessModifier([cap] {
            const struct rlimit limit {
                cap, cap
            };
            setrlimit(RLIMIT_AS, &limit);
        });
    }
    process.start(program, args);
    CliResult r;
    if (!process.waitForStarted(30000)) {
        r.err = QStringLiteral("could not start ") + program + QStringLiteral(": ") + process.errorString();
        r.crashed = true;
        return r;
    }
    if (!process.waitForFinished(options.timeoutMs)) {
        process.terminate();
        if (!process.waitForFinished(15000)) process.kill();
        process.waitForFinished();
        r.timedOut = true;
    } else {
        r.crashed = process.exitStatus() != QProcess::NormalExit;
        if (!r.crashed) r.exitCode = process.exitCode();
    }
    r.out = QString::fromUtf8(process.readAllStandardOutput());
    r.err = QString::fromUtf8(process.readAllStandardError());
    return r;
}

}  // namespace p2p::test
