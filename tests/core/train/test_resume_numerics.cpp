// Issue 21: a run records every setting that changes its arithmetic (compute threads, device, fast path,
// and the machine's CPU kernels, BLAS and LibTorch), a resume restores what it can, says in one line per
// setting what it cannot, and logs what a flag given with the resume overrides. `pix2pix inspect` and
// `pix2pix export` say what a checkpoint holds and whether it resumes bit-identically here.
// (The kill -9 test that compares weights is tests/core/reliability/test_reliability_exact_resume.cpp.)

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/common/runtime.h"
#include "core/train/reproducibility.h"
#include "tests/core/train/train_test_helpers.h"

using namespace p2p;
using namespace p2p::test;

namespace {

NumericsEnvironment machine(int cores, int gpus = 0) {
    NumericsEnvironment e;
    e.hardware_threads = cores;
    e.cuda_devices = gpus;
    e.cpu_capability = "AVX2";
    e.cpu_bf16 = "none";
    e.blas = "OpenBLAS 0.3.21";
    e.torch_version = "1.13.0";
    return e;
}

TrainOptions saved(int threads, const Device& device = Device::cpu()) {
    TrainOptions o;
    o.dataroot = "/data";
    o.run_dir = "/run";
    o.compute_threads = threads;
    o.device = device;
    return o;
}

bool mentions(const std::vector<std::string>& lines, const QStringList& parts) {
    for (const auto& line : lines) {
        bool all = true;
        for (const QString& p : parts) all = all && QString::fromStdString(line).contains(p);
        if (all) return true;
    }
    return false;
}

QString joined(const std::vector<std::string>& lines) {
    QStringList out;
    for (const auto& l : lines) out << QString::fromStdString(l);
    return out.join('\n');
}

struct Quiet : TrainingObserver {};

// What `--precision auto` resolves to on this machine, as inspect and the resume line print it.
const char* autoPrecision() {
    return cpuBf16Support().any() ? "precision bf16" : "precision fp32";
}

}  // namespace

class TestResumeNumerics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { configureThreads(1); }

    void anExactResumeRestoresEverythingSilently() {
        TrainOptions o = saved(1);
        const NumericsEnvironment here = machine(2, 1);  // "auto" would now pick the GPU
        const ResumeReport r = planResume(o, Device::cpu(), &here, {}, here);
        QVERIFY2(r.bitIdentical(), qPrintable(joined(r.differences)));
        QVERIFY(r.overrides.empty());
        QCOMPARE(o.compute_threads, 1);
        QCOMPARE(o.device, Device::cpu());
    }

    void fewerCoresThanTheSavedThreadsIsOneClearLine() {
        TrainOptions o = saved(16);
        const NumericsEnvironment then = machine(16), here = machine(2);
        const ResumeReport r = planResume(o, Device::cpu(), &then, {}, here);
        QCOMPARE(o.compute_threads, 2);
        QCOMPARE(int(r.differences.size()), 1);
        QVERIFY2(mentions(r.differences, {"compute_threads", "16", "2 cores", "not be bit-identical"}),
                 qPrintable(joined(r.differences)));
        QVERIFY(!r.bitIdentical());
    }

    void noGpuNowContinuesOnTheCpuAndSaysSo() {
        TrainOptions o = saved(4, Device::cuda());
        const NumericsEnvironment then = machine(4, 1), here = machine(4, 0);
        const ResumeReport r = planResume(o, Device::cuda(), &then, {}, here);
        QCOMPARE(o.device, Device::cpu());
        QVERIFY2(mentions(r.differences, {"device", "cuda", "no CUDA", "not be bit-identical"}),
                 qPrintable(joined(r.differences)));
        // An older run that said "auto" but trained on the GPU is judged by the device it resolved to.
        TrainOptions older = saved(4, Device::automatic());
        QVERIFY(!planResume(older, Device::cuda(), &then, {}, here).bitIdentical());
        QCOMPARE(older.device, Device::cpu());
    }

    void unrecordedThreadCountIsReported() {
        TrainOptions o = saved(0);  // options written before compute_threads existed
        const ResumeReport r = planResume(o, Device::cpu(), nullptr, {}, machine(2));
        QCOMPARE(o.compute_threads, 2);
        QVERIFY2(mentions(r.differences, {"compute_threads", "did not record"}), qPrintable(joined(r.differences)));
    }

    void theMachinesKernelsAreComparedNotRestored() {
        TrainOptions o = saved(2);
        NumericsEnvironment then = machine(2), here = machine(2);
        then.cpu_capability = "AVX512";
        then.blas = "netlib";
        ResumeReport r = planResume(o, Device::cpu(), &then, {}, here);
        QCOMPARE(int(r.differences.size()), 1);  // BLAS does not matter on the fast path
        QVERIFY(mentions(r.differences, {"CPU kernels", "AVX512", "AVX2"}));
        TrainOptions naive = saved(2);
        naive.fast_path = false;
        r = planResume(naive, Device::cpu(), &then, {}, here);
        QVERIFY2(mentions(r.differences, {"BLAS", "netlib"}), qPrintable(joined(r.differences)));
    }

    void overridesAreAllowedAndNamed() {
        TrainOptions o = saved(1);
        ExecutionChange change;
        change.compute_threads = 3;
        change.fast_path = false;
        change.device = Device::cpu();  // the same as saved: nothing to log
        const NumericsEnvironment here = machine(2);
        const ResumeReport r = planResume(o, Device::cpu(), &here, change, here);
        QCOMPARE(o.compute_threads, 3);
        QCOMPARE(o.fast_path, false);
        QCOMPARE(int(r.overrides.size()), 2);
        QVERIFY2(mentions(r.overrides, {"compute_threads", "saved 1", "now 3"}), qPrintable(joined(r.overrides)));
        QVERIFY2(mentions(r.overrides, {"fast_path", "saved on", "now off"}), qPrintable(joined(r.overrides)));
        QVERIFY(r.numerics_overridden);
        QVERIFY(!r.bitIdentical());
        ExecutionChange gpu;
        gpu.device = Device::cuda();
        QVERIFY_THROWS_EXCEPTION(Error, planResume(o, Device::cpu(), &here, gpu, here));
    }

    // The precision is restored like the device; a bf16 run also depends on the CPU's bf16 instructions
    // (oneDNN picks AMX, AVX512_BF16 or emulated kernels by them), an fp32 run does not.
    void precisionIsRestoredOverriddenAndCompared() {
        NumericsEnvironment amx = machine(2), none = machine(2);
        amx.cpu_bf16 = "AMX";
        TrainOptions bf16 = saved(2);
        bf16.precision = TrainPrecision::BF16;
        ResumeReport r = planResume(bf16, Device::cpu(), &amx, {}, amx);
        QVERIFY2(r.bitIdentical(), qPrintable(joined(r.differences)));
        QVERIFY(bf16.precision == TrainPrecision::BF16);
        r = planResume(bf16, Device::cpu(), &amx, {}, none);
        // Still bf16, emulated: slower and not the same bits.
        QVERIFY(bf16.precision == TrainPrecision::BF16);
        QVERIFY2(mentions(r.differences, {"CPU bf16 instructions", "AMX", "none", "not be bit-identical"}),
                 qPrintable(joined(r.differences)));
        TrainOptions fp32 = saved(2);
        fp32.precision = TrainPrecision::FP32;
        QVERIFY(planResume(fp32, Device::cpu(), &amx, {}, none).bitIdentical());

        ExecutionChange change;
        change.precision = TrainPrecision::Auto;  // resolves on the machine that resumes
        r = planResume(fp32, Device::cpu(), &amx, change, amx);
        QVERIFY(fp32.precision == TrainPrecision::BF16);
        QVERIFY2(mentions(r.overrides, {"precision", "saved fp32", "now bf16"}),
                 qPrintable(joined(r.overrides)));
        QVERIFY(r.numerics_overridden);
        change.precision = TrainPrecision::BF16;  // the same as saved now: nothing to log
        QVERIFY(planResume(fp32, Device::cpu(), &amx, change, amx).overrides.empty());
    }

    // The trainer records what "auto" and "one per core" resolved to, and a resume restores the thread count
    // on the thread that resumes, whatever that thread had before.
    void trainerRecordsAndRestoresTheThreadCount() {
        QTemporaryDir dir;
        TrainOptions o = tinyTrainOptions(writeTinyTrainSet(dir, 2), dir.filePath("run").toStdString());
        o.compute_threads = 0;
        o.device = Device::automatic();
        {
            Trainer trainer(o);
            QCOMPARE(trainer.options().compute_threads, hardwareThreads());
            QCOMPARE(trainer.options().device, Device::automatic().resolved());
            QVERIFY(trainer.options().precision == TrainPrecision::FP32);  // explicit: not resolved
            const auto json = nlohmann::json::parse(std::ifstream(o.run_dir + "/options.json"));
            QCOMPARE(json.at("compute_threads").get<int>(), hardwareThreads());
            QCOMPARE(json.at("device").get<std::string>(), Device::automatic().resolved().str());
        }
        QTemporaryDir dir2;
        TrainOptions one = tinyTrainOptions(writeTinyTrainSet(dir2, 2), dir2.filePath("run").toStdString());
        one.compute_threads = 1;
        {
            Trainer trainer(one);
            Quiet quiet;
            trainer.runSteps(2, quiet);
            trainer.saveCheckpoint();
        }
        configureThreads(2);
        auto resumed = Trainer::resume(one.run_dir);
        QCOMPARE(resumed->options().compute_threads, 1);
        QCOMPARE(intraOpThreads(), 1);
        QVERIFY(resumed->resumeReport().bitIdentical());
        QVERIFY(resumed->resumeReport().overrides.empty());
        const CheckpointSummary s = summarizeTrainingCheckpoint(one.run_dir + "/checkpoints/latest.ckpt");
        QCOMPARE(s.iteration, int64_t(2));
        QVERIFY(s.environment.has_value());
        QCOMPARE(s.environment->hardware_threads, hardwareThreads());
        QVERIFY(s.resume_here.bitIdentical());
        QVERIFY(isTrainingCheckpoint(one.run_dir + "/checkpoints/latest.ckpt"));
        QVERIFY(!isTrainingCheckpoint(one.run_dir + "/options.json"));
        configureThreads(1);
    }

    void cliSaysWhatACheckpointHoldsAndLogsOverrides() {
        if (cliPath().isEmpty()) QSKIP("the pix2pix CLI is not built");
        QTemporaryDir dir;
        const std::string data = writeTinyTrainSet(dir, 2);
        const QString run = dir.filePath("run");
        const CliResult train = runCli({"train", "--data", QString::fromStdString(data), "--run", run, "--netG",
                                        "unet_128", "--ngf", "8", "--ndf", "8", "--preprocess", "crop",
                                        "--load_size", "144", "--crop_size", "128", "--n_epochs", "1",
                                        "--n_epochs_decay", "0", "--sample_freq", "0", "--threads", "1",
                                        "--save_epoch_freq", "1"});
        QVERIFY2(train.exitCode == 0, qPrintable(train.out + train.err));

        for (const QString& checkpoint : {run + "/checkpoints/latest.ckpt"}) {  // epoch snapshots are models
            const CliResult inspect = runCli({"inspect", "--model", checkpoint});
            QVERIFY2(inspect.exitCode == 0, qPrintable(inspect.out + inspect.err));
            for (const char* part : {"iteration 2", "compute_threads 1", "device cpu", "fast_path on",
                                     autoPrecision(), "bit-identical on this machine"})
                QVERIFY2(inspect.out.contains(part), qPrintable(part + QString("\n") + inspect.out));
        }
        const CliResult json = runCli({"inspect", "--checkpoint", run + "/checkpoints/latest.ckpt", "--json"});
        QVERIFY2(json.exitCode == 0, qPrintable(json.err));
        const auto j = nlohmann::json::parse(json.out.toStdString());
        QCOMPARE(j.at("iteration").get<int64_t>(), int64_t(2));
        QCOMPARE(j.at("options").at("compute_threads").get<int>(), 1);
        QCOMPARE(j.at("resume_bit_identical_here").get<bool>(), true);

        const CliResult exported = runCli({"export", "--checkpoint", run + "/checkpoints/latest.ckpt", "--output",
                                           dir.filePath("m.p2pm")});
        QVERIFY2(exported.exitCode == 0, qPrintable(exported.out + exported.err));
        QVERIFY2(exported.out.contains("compute_threads 1") && exported.out.contains("bit-identical"),
                 qPrintable(exported.out));

        // Plain --resume restores silently; a flag that overrides a saved setting is one named line.
        const CliResult plain = runCli({"train", "--resume", run, "--n_epochs", "2"});
        QVERIFY2(plain.exitCode == 0, qPrintable(plain.out + plain.err));
        QVERIFY2(plain.out.contains(
                     QRegularExpression(QString("compute_threads 1, device cpu, fast_path on, ") + autoPrecision() +
                                        ", seed \\d+ \\(as saved")),
                 qPrintable(plain.out));
        QVERIFY(!plain.err.contains("warning"));
        const CliResult overridden = runCli({"train", "--resume", run, "--n_epochs", "3", "--threads", "2"});
        QVERIFY2(overridden.exitCode == 0, qPrintable(overridden.out + overridden.err));
        QVERIFY2(overridden.out.contains("override: compute_threads: saved 1, now 2"), qPrintable(overridden.out));
        QVERIFY2(overridden.out.contains("override: n_epochs: saved 2, now 3"), qPrintable(overridden.out));
        // The run computes with the override from here on, and records it.
        const auto options = nlohmann::json::parse(std::ifstream((run + "/options.json").toStdString()));
        QCOMPARE(options.at("compute_threads").get<int>(), 2);
        QCOMPARE(QString::fromStdString(options.at("precision").get<std::string>()),
                 QString(autoPrecision()).section(' ', 1));
        const CliResult toFp32 = runCli({"train", "--resume", run, "--n_epochs", "4", "--precision", "fp32"});
        QVERIFY2(toFp32.exitCode == 0, qPrintable(toFp32.out + toFp32.err));
        if (cpuBf16Support().any())
            QVERIFY2(toFp32.out.contains("override: precision: saved bf16, now fp32"),
                     qPrintable(toFp32.out));
        QVERIFY2(toFp32.out.contains("precision fp32"), qPrintable(toFp32.out));
        const CliResult fp16 = runCli({"train", "--resume", run, "--precision", "fp16"});
        QVERIFY(fp16.exitCode != 0);
        QVERIFY2(fp16.err.contains("fp16 training is not available"), qPrintable(fp16.err));
        // What may not change still may not.
        QCOMPARE(runCli({"train", "--resume", run, "--lr", "0.1"}).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestResumeNumerics)
#include "test_resume_numerics.moc"
