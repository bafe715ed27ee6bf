// The CUDA random generator's state in training checkpoints, as far as a machine without a GPU can check it:
// a checkpoint written on the CPU has none, and loading it for CUDA or the CPU works; a state written (as a
// GPU run writes it: bytes on the CPU) loads back identical; a resume restores it only on the device that
// wrote it. The GPU rows (a real generator's state restored and drawing the same numbers) skip here and run
// in tools/gpu-check.sh.

#include <QtTest/QtTest>

#include <torch/cuda.h>

#include "core/common/error.h"
#include "core/common/runtime.h"
#include "core/train/checkpoint.h"
#include "tests/support/test_support.h"

using namespace p2p;

namespace {

TrainingCheckpoint smallCheckpoint(const Device& device) {
    TrainingCheckpoint c;
    c.options.device = device;
    c.device = device;
    c.position.iteration = 3;
    c.position.epoch_iteration = 3;
    c.lr = 2e-4;
    c.dataset_size = 4;
    c.iterations_per_epoch = 4;
    c.generator = {{"w", torch::arange(6, torch::kFloat32).view({2, 3})}};
    c.discriminator = {{"w", torch::ones({2})}};
    c.cpu_rng = captureCpuRng();
    c.cuda_rng = captureCudaRng(device);
    return c;
}

// The layout LibTorch 2.x's CUDA generator writes: seed then Philox offset, 8 bytes each, on the CPU.
torch::Tensor cudaLikeState() {
    auto state = torch::empty({16}, torch::kUInt8);
    for (int i = 0; i < 16; ++i) state[i] = (i * 37 + 11) & 0xff;
    return state;
}

}  // namespace

class TestCheckpointRng : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string roundTrip(const TrainingCheckpoint& c, const QString& name) {
        const std::string path = dir_.filePath(name).toStdString();
        saveTrainingCheckpoint(c, {path});
        return path;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void aCpuCheckpointHasNoCudaState() {
        const TrainingCheckpoint c = smallCheckpoint(Device::cpu());
        QVERIFY(!c.cuda_rng.defined());
        const TrainingCheckpoint loaded = loadTrainingCheckpoint(roundTrip(c, "cpu.ckpt"));
        QVERIFY(!loaded.cuda_rng.defined());
        QVERIFY(torch::equal(loaded.cpu_rng, c.cpu_rng));
        // Resumed for CUDA or the CPU: nothing to restore, and restoring nothing touches no GPU.
        for (const Device& here : {Device::cuda(), Device::cuda(1), Device::cpu()}) {
            QVERIFY(!resumeRestoresCudaRng(here, loaded.device, loaded.cuda_rng));
            restoreCudaRng(here, loaded.cuda_rng);
        }
    }

    void aStoredCudaStateLoadsBackIdentical() {
        TrainingCheckpoint c = smallCheckpoint(Device::cpu());
        c.device = c.options.device = Device::cuda();
        c.cuda_rng = cudaLikeState();
        const TrainingCheckpoint loaded = loadTrainingCheckpoint(roundTrip(c, "cuda.ckpt"));
        QVERIFY(loaded.cuda_rng.defined());
        QCOMPARE(loaded.cuda_rng.scalar_type(), torch::kUInt8);
        QVERIFY(loaded.cuda_rng.device().is_cpu());
        QVERIFY(torch::equal(loaded.cuda_rng, c.cuda_rng));
        QVERIFY(loaded.device == Device::cuda());
        // Restored only where it was written: on the same CUDA device.
        QVERIFY(resumeRestoresCudaRng(Device::cuda(), loaded.device, loaded.cuda_rng));
        QVERIFY(!resumeRestoresCudaRng(Device::cuda(1), loaded.device, loaded.cuda_rng));
        QVERIFY(!resumeRestoresCudaRng(Device::cpu(), loaded.device, loaded.cuda_rng));
        restoreCudaRng(Device::cpu(), loaded.cuda_rng);  // the CPU has no CUDA generator: nothing happens
        // Written again by a CPU resume (no CUDA state captured there), the state is gone, not garbled.
        TrainingCheckpoint again = loaded;
        again.device = Device::cpu();
        again.cuda_rng = captureCudaRng(again.device);
        QVERIFY(!loadTrainingCheckpoint(roundTrip(again, "again.ckpt")).cuda_rng.defined());
    }

    // The checksum covers the CUDA state: the same checkpoint with another state is another file.
    void theChecksumCoversTheCudaState() {
        TrainingCheckpoint a = smallCheckpoint(Device::cpu());
        a.cuda_rng = cudaLikeState();
        TrainingCheckpoint b = a;
        b.cuda_rng = cudaLikeState().clone();
        b.cuda_rng[15] = 0;
        const auto pa = roundTrip(a, "a.ckpt"), pb = roundTrip(b, "b.ckpt");
        QVERIFY(!torch::equal(loadTrainingCheckpoint(pa).cuda_rng, loadTrainingCheckpoint(pb).cuda_rng));
    }

    // With a GPU: the default CUDA generator's real state, saved and restored, draws the same numbers again.
    void aGpuStateRestoresTheSameDraws() {
        if (!cudaAvailable()) QSKIP("no CUDA GPU here (tools/gpu-check.sh runs this)");
        torch::cuda::manual_seed(1234);
        const auto cuda = torch::Device(torch::kCUDA);
        torch::rand({100}, cuda);  // move the generator past its seed
        TrainingCheckpoint c = smallCheckpoint(Device::cuda());
        QVERIFY(c.cuda_rng.defined());
        const TrainingCheckpoint loaded = loadTrainingCheckpoint(roundTrip(c, "gpu.ckpt"));
        QVERIFY(torch::equal(loaded.cuda_rng, c.cuda_rng.to(torch::kCPU)));
        const auto first = torch::rand({1000}, cuda).cpu();
        const auto dropoutMask = torch::dropout(torch::ones({1000}, cuda), 0.5, true).cpu();
        restoreCudaRng(Device::cuda(), loaded.cuda_rng);
        QVERIFY(torch::equal(torch::rand({1000}, cuda).cpu(), first));
        QVERIFY(torch::equal(torch::dropout(torch::ones({1000}, cuda), 0.5, true).cpu(), dropoutMask));
        // A state CUDA refuses is a p2p::Error naming the device, not a crash.
        QVERIFY_THROWS_EXCEPTION(p2p::Error,
                                 restoreCudaRng(Device::cuda(), torch::zeros({3}, torch::kUInt8)));
    }
};

QTEST_GUILESS_MAIN(TestCheckpointRng)
#include "test_checkpoint_rng.moc"
