#include "core/train/run_folder.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/error_text.h"
#include "core/io/image_io.h"

namespace fs = std::filesystem;

namespace p2p {

namespace {

std::string join(const std::string& a, const std::string& b) { return (fs::path(a) / b).string(); }

bool isFile(const std::string& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

// epoch_N.p2pm or epoch_N.ckpt -> N; 0 otherwise.
int snapshotEpoch(const std::string& name) {
    int epoch = 0;
    char rest[8] = {};
    if (std::sscanf(name.c_str(), "epoch_%d.%7s", &epoch, rest) == 2 &&
        (std::string(rest) == "p2pm" || std::string(rest) == "ckpt") && epoch > 0)
        return epoch;
    return 0;
}

std::optional<LossSample> parseLossLine(const std::string& line) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("iteration")) return std::nullopt;
    try {
        LossSample s;
        s.iteration = j.at("iteration").get<int64_t>();
        s.epoch = j.value("epoch", 0);
        s.G_GAN = j.value("G_GAN", 0.0);
        s.G_L1 = j.value("G_L1", 0.0);
        s.D_real = j.value("D_real", 0.0);
        s.D_fake = j.value("D_fake", 0.0);
        s.lr = j.value("lr", 0.0);
        return s;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

}  // namespace

RunFolder::RunFolder(std::string root) : root_(std::move(root)) {}

std::string RunFolder::name() const {
    const fs::path p = fs::path(root_).lexically_normal();
    return (p.has_filename() ? p.filename() : p.parent_path().filename()).string();
}
std::string RunFolder::optionsFile() const { return join(root_, "options.json"); }
std::string RunFolder::lossLog() const { return join(root_, "losses.jsonl"); }
std::string RunFolder::checkpointsDir() const { return join(root_, "checkpoints"); }
std::string RunFolder::latestCheckpoint() const { return join(checkpointsDir(), "latest.ckpt"); }
// Periodic snapshots are models (G and D, no optimizer state): only latest.ckpt resumes, so only it needs the
// Adam moments, which are twice the weights.
std::string RunFolder::epochSnapshot(int epoch) const {
    return join(checkpointsDir(), "epoch_" + std::to_string(epoch) + ".p2pm");
}
std::string RunFolder::samplesDir() const { return join(root_, "samples"); }
std::string RunFolder::samplePath(int epoch, int64_t iteration) const {
    char name[64];
    std::snprintf(name, sizeof name, "epoch%03d_iter%08lld.png", epoch, static_cast<long long>(iteration));
    return join(samplesDir(), name);
}
std::string RunFolder::model() const { return join(root_, "model.p2pm"); }
std::string RunFolder::latestCheckpointExport() const { return join(root_, "model-latest.p2pm"); }

bool RunFolder::holdsRun() const { return isFile(optionsFile()) || isFile(latestCheckpoint()); }
bool RunFolder::hasCheckpoint() const { return isFile(latestCheckpoint()); }

std::string RunFolder::newestModel() const {
    const bool hasModel = isFile(model()), hasLatest = hasCheckpoint();
    if (!hasModel) return hasLatest ? latestCheckpoint() : std::string();
    if (!hasLatest) return model();
    std::error_code ec;
    return fs::last_write_time(latestCheckpoint(), ec) > fs::last_write_time(model(), ec) ? latestCheckpoint()
                                                                                           : model();
}

void RunFolder::writeOptions(const TrainOptions& options) const {
    writeFileAtomically(optionsFile(), options.toJson().dump(2) + "\n");
}

TrainOptions RunFolder::readOptions() const {
    std::ifstream in(optionsFile());
    if (!in) throw Error("cannot read " + optionsFile() + ": " + systemReason());
    try {
        return TrainOptions::fromJson(nlohmann::json::parse(in));
    } catch (const nlohmann::json::exception& e) {
        throw Error(optionsFile() + " is not valid JSON (" + e.what() + ")");
    } catch (const Error& e) {
        throw Error(optionsFile() + ": " + e.what());
    }
}

std::optional<std::string> RunFolder::recordedDataroot() const {
    try {
        return readOptions().dataroot;
    } catch (const Error&) {
        return std::nullopt;
    }
}

void RunFolder::appendLosses(const LossSample& l, double elapsedSeconds) const {
    std::ofstream out(lossLog(), std::ios::app);
    const nlohmann::json j = {
        {"iteration", l.iteration}, {"epoch", l.epoch},   {"G_GAN", l.G_GAN}, {"G_L1", l.G_L1},
        {"D_real", l.D_real},       {"D_fake", l.D_fake}, {"lr", l.lr},       {"time", elapsedSeconds}};
    out << j.dump() << "\n";
    out.flush();
    if (!out) throw Error("cannot append to " + lossLog() + ": " + systemReason());
}

std::vector<LossSample> RunFolder::readLosses() const {
    std::vector<LossSample> history;
    std::ifstream in(lossLog());
    std::string line;
    while (std::getline(in, line))
        if (auto s = parseLossLine(line)) history.push_back(*s);
    return history;
}

void RunFolder::truncateLosses(int64_t iteration) const {
    std::ifstream in(lossLog());
    if (!in) return;
    std::string kept, line;
    bool changed = false;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto s = parseLossLine(line);
        if (!s || s->iteration > iteration) {  // a half-written last line from a crash, or a step no checkpoint holds
            changed = true;
            continue;
        }
        kept += line + "\n";
    }
    in.close();
    if (changed) writeFileAtomically(lossLog(), kept);
}

void RunFolder::removeLosses() const {
    std::error_code ignored;
    fs::remove(lossLog(), ignored);
}

std::string RunFolder::writeSample(const TrainingSample& s) const {
    std::error_code ec;
    fs::create_directories(samplesDir(), ec);
    if (ec) throw Error("cannot create " + samplesDir() + ": " + ec.message());
    cv::Mat triplet;
    cv::hconcat(std::vector<cv::Mat>{s.input, s.generated, s.target}, triplet);
    const std::string path = samplePath(s.epoch, s.iteration);
    saveImage(path, triplet);  // atomic, like everything in the run folder: no half image after a kill
    return path;
}

std::vector<int> RunFolder::snapshotEpochs() const {
    std::vector<int> epochs;
    std::error_code ec;
    for (fs::directory_iterator it(checkpointsDir(), ec), end; !ec && it != end; it.increment(ec))
        if (const int epoch = snapshotEpoch(it->path().filename().string())) epochs.push_back(epoch);
    std::sort(epochs.begin(), epochs.end());
    epochs.erase(std::unique(epochs.begin(), epochs.end()), epochs.end());
    return epochs;
}

void RunFolder::pruneSnapshots(int keep) const {
    if (keep <= 0) return;
    std::vector<std::pair<int, fs::path>> snapshots;
    std::error_code ec;
    for (fs::directory_iterator it(checkpointsDir(), ec), end; !ec && it != end; it.increment(ec))
        if (const int epoch = snapshotEpoch(it->path().filename().string())) snapshots.emplace_back(epoch, it->path());
    std::sort(snapshots.begin(), snapshots.end());
    for (size_t i = 0; i + static_cast<size_t>(keep) < snapshots.size(); ++i) {
        std::error_code ignored;
        fs::remove(snapshots[i].second, ignored);
    }
}

void RunFolder::removeStaleTemporaries() const {
    for (const std::string& folder : {root_, checkpointsDir(), samplesDir()}) {
        std::error_code ec;
        for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
            const std::string name = it->path().filename().string();
            if (name.size() > 1 && name[0] == '.' && name.find(".tmp.") != std::string::npos) {
                std::error_code ignored;
                fs::remove(it->path(), ignored);
            }
        }
    }
}

}  // namespace p2p
