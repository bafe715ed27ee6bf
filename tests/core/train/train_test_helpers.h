#pragma once

// Tiny training runs for the trainer tests: unet_128 (the smallest U-Net; it needs 128x128 inputs),
// ngf 8 / ndf 8, 144x144 pairs randomly cropped to 128 and flipped, so the data order and the jitter are
// both exercised.

#include <QStringList>
#include <QTemporaryDir>

#include <filesystem>
#include <string>

#include "core/common/runtime.h"
#include "core/train/checkpoint.h"
#include "core/train/train_options.h"
#include "core/train/trainer.h"
#include "tests/support/test_support.h"

namespace p2p::test {

inline std::string writeTinyTrainSet(const QTemporaryDir& dir, int count, int size = 144, int seed = 0) {
    const std::string root = dir.filePath("data").toStdString();
    writeTinyAlignedSet(root + "/train", count, size, seed);
    return root;
}

// `pix2pix train` on a tiny network (unet_128, ngf/ndf 8, no resizing, one thread): the CLI tests' run.
inline QStringList tinyCliTrainFlags(const QString& data, const QString& run) {
    return {"train", "--data", data, "--run", run, "--netG", "unet_128", "--ngf", "8", "--ndf", "8",
            "--preprocess", "none", "--threads", "1"};
}

inline TrainOptions tinyTrainOptions(const std::string& dataroot, const std::string& runDir) {
    TrainOptions o;
    o.dataroot = dataroot;
    o.run_dir = runDir;
    o.netG = "unet_128";
    o.ngf = 8;
    o.ndf = 8;
    o.preprocess = "crop";
    o.load_size = 144;
    o.crop_size = 128;
    o.num_threads = 1;
    o.n_epochs = 5;
    o.n_epochs_decay = 5;
    o.seed = 7;
    o.device = p2p::Device::cpu();
    o.compute_threads = 1;  // as the suites' initTestCase configures: small steps gain nothing from more
    // The same arithmetic on every machine (auto would pick bf16 where the CPU has it); bf16 tests say so.
    o.precision = TrainPrecision::FP32;
    o.sample_freq = 0;
    o.log_freq = 1;
    o.save_latest_freq = 0;
    o.save_epoch_freq = 0;
    return o;
}

// Every tensor of G, D and both Adam states, compared exactly.
inline double maxCheckpointDifference(const TrainingCheckpoint& a, const TrainingCheckpoint& b) {
    double worst = 0;
    auto compareDicts = [&](const StateDict& x, const StateDict& y) {
        if (x.size() != y.size()) throw std::runtime_error("state dicts differ in size");
        for (size_t i = 0; i < x.size(); ++i) {
            if (x[i].first != y[i].first) throw std::runtime_error("state dict keys differ: " + x[i].first);
            worst = std::max(worst, maxAbsDiff(x[i].second, y[i].second));
        }
    };
    auto compareAdam = [&](const AdamStateRecord& x, const AdamStateRecord& y) {
        if (x.size() != y.size()) throw std::runtime_error("Adam states differ in size");
        for (size_t i = 0; i < x.size(); ++i) {
            if (x[i].first != y[i].first || x[i].second.step != y[i].second.step)
                throw std::runtime_error("Adam states differ at " + x[i].first);
            worst = std::max(worst, maxAbsDiff(x[i].second.exp_avg, y[i].second.exp_avg));
            worst = std::max(worst, maxAbsDiff(x[i].second.exp_avg_sq, y[i].second.exp_avg_sq));
        }
    };
    compareDicts(a.generator, b.generator);
    compareDicts(a.discriminator, b.discriminator);
    compareAdam(a.adam_generator, b.adam_generator);
    compareAdam(a.adam_discriminator, b.adam_discriminator);
    return worst;
}

}  // namespace p2p::test
