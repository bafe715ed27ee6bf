// The trainer: losses fall on a learnable set, the observer gets losses, progress, samples and D's patch
// maps, pause/resume/stop, non-finite losses, the learning-rate schedule, the run folder and checkpoints.

#include <QtTest/QtTest>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/common/error.h"
#include "core/common/torch_compat.h"
#include "core/io/model_io.h"
#include "tests/core/train/train_test_helpers.h"

namespace fs = std::filesystem;
using namespace p2p;
using namespace p2p::test;

namespace {

struct Recorder : TrainingObserver {
    std::mutex mutex;
    std::vector<LossSample> losses;
    std::vector<TrainingProgress> progress;
    std::vector<TrainingSample> samples;
    std::vector<int> epochEnds;
    std::vector<std::string> checkpoints;
    std::vector<TrainingState> states;
    std::vector<std::string> messages;
    std::function<void(const LossSample&)> onLoss;

    void onLosses(const LossSample& l) override {
        {
            std::lock_guard<std::mutex> lock(mutex);
            losses.push_back(l);
        }
        if (onLoss) onLoss(l);
    }
    void onProgress(const TrainingProgress& p) override {
        std::lock_guard<std::mutex> lock(mutex);
        progress.push_back(p);
    }
    void onSample(const TrainingSample& s) override {
        std::lock_guard<std::mutex> lock(mutex);
        samples.push_back(s);
    }
    void onEpochEnd(int epoch, double) override {
        std::lock_guard<std::mutex> lock(mutex);
        epochEnds.push_back(epoch);
    }
    void onCheckpoint(const std::string& path) override {
        std::lock_guard<std::mutex> lock(mutex);
        checkpoints.push_back(path);
    }
    void onStateChanged(TrainingState s) override {
        std::lock_guard<std::mutex> lock(mutex);
        states.push_back(s);
    }
    void onMessage(const std::string& m) override {
        std::lock_guard<std::mutex> lock(mutex);
        messages.push_back(m);
    }
    bool sawState(TrainingState s) {
        std::lock_guard<std::mutex> lock(mutex);
        return std::find(states.begin(), states.end(), s) != states.end();
    }
};

// The output size of a conv layer, and of the basic PatchGAN: three k4 s2 p1 convs, then two k4 s1 p1.
int convOut(int in, int k, int s, int p) {
    return (in + 2 * p - k) / s + 1;
}
int basicPatchMapSize(int in) {
    int n = in;
    for (int i = 0; i < 3; ++i) n = convOut(n, 4, 2, 1);
    for (int i = 0; i < 2; ++i) n = convOut(n, 4, 1, 1);
    return n;
}

int countLines(const fs::path& path) {
    std::ifstream in(path);
    int n = 0;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) ++n;
    return n;
}

}  // namespace

class TestTrainer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { configureThreads(1); }

    void patchMapSizeFormula() {
        QCOMPARE(basicPatchMapSize(256), 30);  // the paper's 70x70 PatchGAN on 256x256: a 30x30 map
        QCOMPARE(basicPatchMapSize(128), 14);
    }

    void l1LossFallsOnALearnableSet() {
        QTemporaryDir dir;
        TrainOptions o = tinyTrainOptions(writeTinyTrainSet(dir, 4, 128), dir.filePath("run").toStdString());
        o.preprocess = "none";  // 128x128 as is: the set is learnable in a few hundred steps
        o.no_flip = true;
        o.dropout = false;
        o.lr = 0.001;
        o.n_epochs = 100;
        Trainer trainer(o);
        Recorder rec;
        trainer.runSteps(240, rec);
        QCOMPARE(int(rec.losses.size()), 240);
        auto meanL1 = [&](size_t from, size_t to) {
            double sum = 0;
            for (size_t i = from; i < to; ++i) sum += rec.losses[i].G_L1;
            return sum / double(to - from);
        };
        const double early = meanL1(0, 20), late = meanL1(220, 240);
        qInfo("G_L1: first 20 steps %.3f, last 20 steps %.3f", early, late);
        QVERIFY2(late < 0.6 * early, qPrintable(QString("G_L1 %1 -> %2").arg(early).arg(late)));
        for (const auto& l : rec.losses) {
            QVERIFY(std::isfinite(l.G_GAN) && l.G_GAN > 0);
            QVERIFY(l.D_real > 0 && l.D_fake > 0);
        }
    }

    void observerGetsLossesProgressSamplesAndPatchMaps() {
        QTemporaryDir dir;
        TrainOptions o = tinyTrainOptions(writeTinyTrainSet(dir, 3), dir.filePath("run").toStdString());
        o.log_freq = 2;
        o.sample_freq = 4;
        o.n_epochs = 2;
        o.n_epochs_decay = 1;
        Trainer trainer(o);
        QCOMPARE(trainer.iterationsPerEpoch(), int64_t(3));
        Recorder rec;
        QCOMPARE(trainer.run(rec), TrainingState::Finished);
        QCOMPARE(trainer.iteration(), int64_t(9));

        QCOMPARE(int(rec.losses.size()), 4);  // iterations 2, 4, 6, 8
        QCOMPARE(rec.losses.front().iteration, int64_t(2));
        QCOMPARE(rec.losses.back().iteration, int64_t(8));
        QCOMPARE(rec.losses.back().epoch, 3);
        QVERIFY(!rec.progress.empty());
        const auto& last = rec.progress.back();
        QCOMPARE(last.iteration, int64_t(9));
        QCOMPARE(last.total_iterations, int64_t(9));
        QCOMPARE(last.total_epochs, 3);
        QCOMPARE(last.iterations_per_epoch, int64_t(3));
        QVERIFY(last.iterations_per_second > 0);
        QCOMPARE(rec.epochEnds, (std::vector<int>{1, 2, 3}));
        QCOMPARE(rec.states.front(), TrainingState::Running);
        QCOMPARE(rec.states.back(), TrainingState::Finished);

        QCOMPARE(int(rec.samples.size()), 2);  // iterations 4 and 8
        const int map = basicPatchMapSize(128);
        for (const auto& s : rec.samples) {
            QCOMPARE(s.input.type(), CV_8UC3);
            QCOMPARE(s.generated.type(), CV_8UC3);
            QCOMPARE(s.target.type(), CV_8UC3);
            QCOMPARE(s.input.size(), cv::Size(128, 128));
            QCOMPARE(s.generated.size(), cv::Size(128, 128));
            QCOMPARE(s.target.size(), cv::Size(128, 128));
            QCOMPARE(s.d_real.type(), CV_32FC1);
            QCOMPARE(s.d_fake.type(), CV_32FC1);
            QCOMPARE(s.d_real.size(), cv::Size(map, map));
            QCOMPARE(s.d_fake.size(), cv::Size(map, map));
            double lo, hi;
            cv::minMaxLoc(s.d_real, &lo, &hi);
            QVERIFY(lo >= 0 && hi <= 1);
            QVERIFY(!s.name.empty());
        }
        QCOMPARE(rec.samples[0].iteration, int64_t(4));
        QCOMPARE(rec.samples[0].epoch, 2);

        // The run folder.
        const fs::path run = o.run_dir;
        QVERIFY(fs::exists(run / "options.json"));
        QVERIFY(fs::exists(run / "checkpoints" / "latest.ckpt"));
        QVERIFY(fs::exists(run / "model.p2pm"));
        QCOMPARE(countLines(run / "losses.jsonl"), 4);
        std::ifstream in(run / "losses.jsonl");
        std::string first;
        std::getline(in, first);
        const auto j = nlohmann::json::parse(first);
        for (const char* key : {"iteration", "epoch", "G_GAN", "G_L1", "D_real", "D_fake", "lr", "time"})
            QVERIFY2(j.contains(key), key);
        int pngs = 0;
        for (const auto& entry : fs::directory_iterator(run / "samples"))
            pngs += entry.path().extension() == ".png";
        QCOMPARE(pngs, 2);
        const auto saved = TrainOptions::fromJson(nlohmann::json::parse(std::ifstream(run / "options.json")));
        QCOMPARE(saved.toJson().dump(), o.toJson().dump());

        // The exported model holds the trained generator and D.
        const LoadedModel model = loadModel((run / "model.p2pm").string());
        QCOMPARE(model.info.generator.netG, std::string("unet_128"));
        QVERIFY(model.discriminator);
        const auto checkpoint = loadTrainingCheckpoint((run / "checkpoints" / "latest.ckpt").string());
        const auto exported = stateDictOf(*model.generator);
        QCOMPARE(exported.size(), checkpoint.generator.size());
        for (size_t i = 0; i < exported.size(); ++i)
            QCOMPARE(maxAbsDiff(exported[i].second, checkpoint.generator[i].second), 0.0);
    }

    void learningRateChangesAtEpochEnds() {
        QTemporaryDir dir;
        TrainOptions o = tinyTrainOptions(writeTinyTrainSet(dir, 2), dir.filePath("run").toStdString());
        o.n_epochs = 1;
        o.n_epochs_decay = 2;
        o.lr = 0.0003;
        Trainer trainer(o);
        Recorder rec;
        trainer.runSteps(6, rec);
        QCOMPARE(int(rec.losses.size()), 6);
        const double expected[] = {0.0003, 0.0003, 0.0002, 0.0002, 0.0001, 0.0001};
        for (int i = 0; i < 6; ++i) {
            QCOMPARE(rec.losses[i].epoch, i / 2 + 1);
            QVERIFY2(std::abs(rec.losses[i].lr - expected[i]) < 1e-15,
                     qPrintable(QString("step %1: lr %2").arg(i + 1).arg(rec.losses[i].lr)));
            QCOMPARE(rec.losses[i].lr, o.learningRateAt(i / 2));
        }
    }

    void pauseStopsTheCounterAndResumeContinues() {
        QTemporaryDir dir;
        TrainOptions o = tinyTrainOptions(writeTinyTrainSet(dir, 3), dir.filePath("run").toStdString());
        o.n_epochs = 3;
        o.n_epochs_decay = 0;
        Trainer trainer(o);
        Recorder rec;
        rec.onLoss = [&](const LossSample& l) {
            if (l.iteration == 2) trainer.pause();
        };
        std::thread worker([&] { trainer.run(rec); });
        QTRY_VERIFY_WITH_TIMEOUT(rec.sawState(TrainingState::Paused), 20000);
        QVERIFY(trainer.isPaused());
        const int64_t pausedAt = trainer.iteration();
        QCOMPARE(pausedAt, int64_t(2));
        QTest::qWait(400);
        QCOMPARE(trainer.iteration(), pausedAt);
        trainer.resumeTraining();
        worker.join();
        QCOMPARE(trainer.iteration(), int64_t(9));
        QCOMPARE(rec.states.back(), TrainingState::Finished);
    }

    void stopSavesAndResumeContinues() {
        QTemporaryDir dir;
        TrainOptions o = tinyTrainOptions(writeTinyTrainSet(dir, 3), dir.filePath("run").toStdString());
        o.n_epochs = 3;
        o.n_epochs_decay = 0;
        Trainer trainer(o);
        Recorder rec;
        rec.onLoss = [&](const LossSample& l) {
            if (l.iteration == 4) trainer.stop();
        };
        QCOMPARE(trainer.run(rec), TrainingState::Stopped);
        QCOMPARE(trainer.iteration(), int64_t(4));
        const fs::path latest = fs::path(o.run_dir) / "checkpoints" / "latest.ckpt";
        QVERIFY(fs::exists(latest));
        QVERIFY(fs::exists(fs::path(o.run_dir) / "model.p2pm"));
        QVERIFY(!rec.checkpoints.empty());
        QCOMPARE(loadTrainingCheckpoint(latest.string()).position.iteration, int64_t(4));

        auto resumed = Trainer::resume(o.run_dir);
        QCOMPARE(resumed->iteration(), int64_t(4));
        QCOMPARE(resumed->epoch(), 2);
        Recorder rec2;
        QCOMPARE(resumed->run(rec2), TrainingState::Finished);
        QCOMPARE(resumed->iteration(), int64_t(9));
        QCOMPARE(rec2.losses.front().iteration, int64_t(5));
        QCOMPARE(countLines(fs::path(o.run_dir) / "losses.jsonl"), 9);
    }

    // A finished run given more epochs trains them at the new rule's rate, not at the old schedule's final 0.
    void lengtheningAFinishedRunUsesTheNewRate() {
        QTemporaryDir dir;
        TrainOptions o = tinyTrainOptions(writeTinyTrainSet(dir, 3), dir.filePath("run").toStdString());
        o.n_epochs = 1;
        o.n_epochs_decay = 1;
        {
            Trainer trainer(o);
            Recorder rec;
            QCOMPARE(trainer.run(rec), TrainingState::Finished);
            QCOMPARE(trainer.learningRate(), 0.0);
        }
        Trainer::ScheduleChange longer;
        longer.n_epochs_decay = 3;
        auto resumed = Trainer::resume(o.run_dir, longer);
        TrainOptions now = o;
        now.n_epochs_decay = 3;
        QVERIFY(resumed->learningRate() > 0);
        QCOMPARE(resumed->learningRate(), now.learningRateAt(resumed->epoch() - 1));
        Recorder rec;
        QCOMPARE(resumed->run(rec), TrainingState::Finished);
        QCOMPARE(resumed->epoch() - 1, 4);
    }

    void stopWhilePausedSaves() {
        QTemporaryDir dir;
        TrainOptions o = tinyTrainOptions(writeTinyTrainSet(dir, 3), dir.filePath("run").toStdString());
        Trainer trainer(o);
        Recorder rec;
        rec.onLoss = [&](const LossSample& l) {
            if (l.iteration == 1) trainer.pause();
        };
        TrainingState result = TrainingState::Running;
        std::thread worker([&] { result = trainer.run(rec); });
        QTRY_VERIFY_WITH_TIMEOUT(rec.sawState(TrainingState::Paused), 20000);
        trainer.stop();
        worker.join();
        QCOMPARE(result, TrainingState::Stopped);
        QCOMPARE(loadTrainingCheckpoint(trainer.lastCheckpoint()).position.iteration, int64_t(1));
    }

    void nonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() {
        QTemporaryDir dir;
        TrainOptions o = tinyTrainOptions(writeTinyTrainSet(dir, 3), dir.filePath("run").toStdString());
        o.save_latest_freq = 5;
        o.n_epochs = 4;
        o.n_epochs_decay = 0;
        Trainer trainer(o);
        trainer.injectNonFiniteInputAt(8);
        Recorder rec;
        QString message;
        try {
            trainer.run(rec);
            QFAIL("a NaN input did not stop training");
        } catch (const Error& e) {
            message = e.what();
        }
        QVERIFY2(message.contains("not finite") && message.contains("iteration 8"), qPrintable(message));
        QVERIFY2(message.contains("latest.ckpt"), qPrintable(message));
        QCOMPARE(rec.states.back(), TrainingState::Failed);
        QVERIFY(!rec.messages.empty());
        const auto kept =
            loadTrainingCheckpoint((fs::path(o.run_dir) / "checkpoints" / "latest.ckpt").string());
        QCOMPARE(kept.position.iteration, int64_t(5));
        for (const auto& [key, t] : kept.generator) QVERIFY(torch::isfinite(t).all().item<bool>());
        // The kept checkpoint resumes.
        auto resumed = Trainer::resume(o.run_dir);
        QCOMPARE(resumed->iteration(), int64_t(5));
    }

    void refusesAFolderThatHoldsARun() {
        QTemporaryDir dir;
        TrainOptions o = tinyTrainOptions(writeTinyTrainSet(dir, 2), dir.filePath("run").toStdString());
        { Trainer first(o); }
        QVERIFY_EXCEPTION_THROWN(Trainer second(o), Error);
    }

    void refusesBadDataAndOptions() {
        QTemporaryDir dir;
        TrainOptions o =
            tinyTrainOptions(dir.filePath("missing").toStdString(), dir.filePath("run").toStdString());
        QVERIFY_EXCEPTION_THROWN(Trainer trainer(o), Error);
        o.dataroot = writeTinyTrainSet(dir, 2);
        o.ngf = 0;
        QVERIFY_EXCEPTION_THROWN(Trainer trainer(o), Error);
        QVERIFY_EXCEPTION_THROWN(Trainer::resume(dir.filePath("nothing").toStdString()), Error);
    }

    void resumeRefusesAChangedDataSet() {
        QTemporaryDir dir;
        const std::string data = writeTinyTrainSet(dir, 3);
        TrainOptions o = tinyTrainOptions(data, dir.filePath("run").toStdString());
        {
            Trainer trainer(o);
            Recorder rec;
            trainer.runSteps(1, rec);
            trainer.saveCheckpoint();
        }
        writeTinyAlignedSet(data + "/train_more", 1, 144, 9);
        fs::copy_file(data + "/train_more/1.png", data + "/train/99.png");
        try {
            Trainer::resume(o.run_dir);
            QFAIL("resumed with a different data set");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("training pairs"), e.what());
        }
    }

    void corruptCheckpointsAreRefused() {
        QTemporaryDir dir;
        TrainOptions o = tinyTrainOptions(writeTinyTrainSet(dir, 2), dir.filePath("run").toStdString());
        Trainer trainer(o);
        Recorder rec;
        trainer.runSteps(1, rec);
        const std::string good = trainer.saveCheckpoint();
        std::string bytes;
        {
            std::ifstream in(good, std::ios::binary);
            bytes.assign(std::istreambuf_iterator<char>(in), {});
        }
        auto write = [&](const std::string& name, const std::string& content) {
            const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
            std::ofstream(path, std::ios::binary) << content;
            return path;
        };
        const std::string truncated = write("truncated.ckpt", bytes.substr(0, bytes.size() / 2));
        const std::string garbage = write("garbage.ckpt", std::string(4096, 'x'));
        const std::string empty = write("empty.ckpt", "");
        std::string flipped = bytes;
        for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i)
            flipped[i] = char(flipped[i] ^ 0x5a);
        const std::string corrupt = write("flipped.ckpt", flipped);
        const std::string foreign = dir.filePath("model.p2pm").toStdString();
        trainer.exportModel(foreign);
        for (const auto& path :
             {truncated, garbage, empty, corrupt, foreign, std::string("/nonexistent.ckpt")}) {
            try {
                loadTrainingCheckpoint(path);
                QFAIL(qPrintable(QString::fromStdString("loaded " + path)));
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains(QString::fromStdString(path)), e.what());
            }
        }
        QCOMPARE(loadTrainingCheckpoint(good).position.iteration, int64_t(1));
    }

    void exportCheckpointWritesAModel_data() {
        QTest::addColumn<bool>("half");
        QTest::newRow("float32") << false;
        QTest::newRow("float16") << true;
    }
    void exportCheckpointWritesAModel() {
        QFETCH(bool, half);
        QTemporaryDir dir;
        TrainOptions o = tinyTrainOptions(writeTinyTrainSet(dir, 2), dir.filePath("run").toStdString());
        o.direction = "BtoA";
        Trainer trainer(o);
        Recorder rec;
        trainer.runSteps(2, rec);
        const std::string ckpt = trainer.saveCheckpoint();
        const std::string model = dir.filePath("m.p2pm").toStdString();
        exportCheckpoint(ckpt, model, half);
        const ModelInfo info = inspectModel(model);
        QCOMPARE(info.direction, std::string("BtoA"));
        QCOMPARE(info.stored_dtype, std::string(half ? "float16" : "float32"));
        QCOMPARE(info.metadata.at("iteration").get<int64_t>(), int64_t(2));
        const LoadedModel loaded = loadModel(model);
        const auto checkpoint = loadTrainingCheckpoint(ckpt);
        const auto weights = stateDictOf(*loaded.generator);
        for (size_t i = 0; i < weights.size(); ++i)
            QVERIFY(maxAbsDiff(weights[i].second, checkpoint.generator[i].second) <= (half ? 1e-3 : 0.0));
        QVERIFY_EXCEPTION_THROWN(exportCheckpoint(dir.filePath("none.ckpt").toStdString(), model), Error);

        // What the shipped models carry: a name, the input kind and extra metadata over the provenance.
        ExportSettings settings;
        settings.half = half;
        settings.name = "facades";
        settings.input_kind = "facade-labels";
        settings.metadata = {{"label_palette", "facades"}, {"iteration", -1}};
        exportCheckpoint(ckpt, model, settings);
        const ModelInfo named = inspectModel(model);
        QCOMPARE(named.name, std::string("facades"));
        QCOMPARE(named.input_kind, std::string("facade-labels"));
        QCOMPARE(named.metadata.at("label_palette").get<std::string>(), std::string("facades"));
        QCOMPARE(named.metadata.at("iteration").get<int64_t>(), int64_t(-1));  // given metadata wins
        QVERIFY(named.metadata.contains("options"));
        settings.metadata = nlohmann::json::array();
        QVERIFY_EXCEPTION_THROWN(exportCheckpoint(ckpt, model, settings), Error);
    }

    void fastPathTrainsLikeTheNaivePath() {
        QTemporaryDir dir;
        const std::string data = writeTinyTrainSet(dir, 2);
        std::vector<LossSample> losses[2];
        for (int fast = 0; fast < 2; ++fast) {
            TrainOptions o = tinyTrainOptions(data, dir.filePath(QString("run%1").arg(fast)).toStdString());
            o.fast_path = fast == 1;
            Trainer trainer(o);
            Recorder rec;
            trainer.runSteps(3, rec);
            losses[fast] = rec.losses;
        }
        QCOMPARE(losses[1].size(), size_t(3));
        for (size_t i = 0; i < 3; ++i) {
            // The same arithmetic summed in another order: equal to float rounding, drifting a little per
            // step.
            QVERIFY(std::abs(losses[0][i].G_L1 - losses[1][i].G_L1) < 1e-3 * losses[0][i].G_L1);
            QVERIFY(std::abs(losses[0][i].D_fake - losses[1][i].D_fake) < 1e-3 * losses[0][i].D_fake);
        }
    }

    // bf16 mixed precision: the convolutions compute in bf16 (the run differs from fp32 in its arithmetic but
    // not in what it learns), while the weights, Adam's moments, BatchNorm statistics and losses stay fp32,
    // and autocast is off again between steps (the trainer's thread does other tensor work there). On the
    // fast path and on LibTorch's own modules.
    void bf16MixedPrecisionKeepsFp32State() {
        QTemporaryDir dir;
        const std::string data = writeTinyTrainSet(dir, 2);
        struct Run {
            std::vector<LossSample> losses;
            std::vector<TrainingSample> samples;
            TrainingCheckpoint checkpoint;
            bool autocastAfter = true;
        };
        auto train = [&](const QString& name, TrainPrecision precision, bool fast) {
            TrainOptions o = tinyTrainOptions(data, dir.filePath(name).toStdString());
            o.precision = precision;
            o.fast_path = fast;
            o.sample_freq = 2;
            Trainer trainer(o);
            Recorder rec;
            trainer.runSteps(4, rec);
            return Run{rec.losses, rec.samples, loadTrainingCheckpoint(trainer.saveCheckpoint()),
                       p2p::compat::autocastEnabled(at::kCPU)};
        };
        const Run fp32 = train("fp32", TrainPrecision::FP32, true);
        for (const bool fast : {true, false}) {
            const Run run = train(fast ? "bf16" : "bf16-naive", TrainPrecision::BF16, fast);
            const TrainingCheckpoint& bf16 = run.checkpoint;
            const auto& losses = run.losses;
            const auto& fp32Losses = fp32.losses;
            QVERIFY(bf16.options.precision == TrainPrecision::BF16);
            QVERIFY(!run.autocastAfter);
            QCOMPARE(run.samples.size(), size_t(2));
            QCOMPARE(run.samples[0].d_real.type(), CV_32FC1);
            for (const auto* dict : {&bf16.generator, &bf16.discriminator})
                for (const auto& [name, tensor] : *dict)
                    if (tensor.is_floating_point())
                        QVERIFY2(tensor.scalar_type() == torch::kFloat32, name.c_str());
            for (const auto* adam : {&bf16.adam_generator, &bf16.adam_discriminator})
                for (const auto& [name, state] : *adam) {
                    QVERIFY2(state.exp_avg.scalar_type() == torch::kFloat32, name.c_str());
                    QVERIFY2(state.exp_avg_sq.scalar_type() == torch::kFloat32, name.c_str());
                }
            // bf16 really computed: the weights moved differently from fp32's...
            QVERIFY(maxCheckpointDifference(fp32.checkpoint, bf16) > 0);
            // ...but the losses agree to bf16's resolution (8 bits of mantissa).
            QCOMPARE(losses.size(), fp32Losses.size());
            for (size_t i = 0; i < losses.size(); ++i) {
                QVERIFY2(std::abs(losses[i].G_L1 - fp32Losses[i].G_L1) < 0.02 * fp32Losses[i].G_L1,
                         qPrintable(QString("step %1: G_L1 %2 vs %3")
                                        .arg(i)
                                        .arg(losses[i].G_L1)
                                        .arg(fp32Losses[i].G_L1)));
                QVERIFY(std::abs(losses[i].D_real - fp32Losses[i].D_real) <
                        0.05 * fp32Losses[i].D_real + 0.01);
            }
        }
    }

    // A checkpoint is streamed to its file: saving 256 MB of tensors raises the process's peak memory by a
    // small buffer, not by the checkpoint's size (an in-memory serialisation held it twice more).
    void checkpointSavesStreamToTheFile() {
        if (!resetPeakResident() || peakResidentBytes() == 0)
            QSKIP("this kernel cannot reset the resident-set high-water mark (/proc/self/clear_refs)");
        QTemporaryDir dir;
        TrainingCheckpoint c;
        c.options = tinyTrainOptions("/data", dir.filePath("run").toStdString());
        c.cpu_rng = captureCpuRng();
        constexpr int64_t kFloats = 32 << 20;  // 128 MB each
        c.generator = {{"a", torch::rand({kFloats})}, {"b", torch::rand({kFloats})}};
        const std::string path = dir.filePath("latest.ckpt").toStdString();
        QVERIFY(resetPeakResident());
        const int64_t before = peakResidentBytes();
        saveTrainingCheckpoint(c, {path, dir.filePath("copy.ckpt").toStdString()});
        const int64_t growth = peakResidentBytes() - before;
        QVERIFY2(growth < (48 << 20), qPrintable(QString("peak grew by %1 MB").arg(growth >> 20)));
        const TrainingCheckpoint back = loadTrainingCheckpoint(dir.filePath("copy.ckpt").toStdString());
        QVERIFY(torch::equal(back.generator[1].second, c.generator[1].second));
    }

    void adamStateRoundTrip() {
        // A small module trained a few steps: captured moments restored into a fresh optimizer continue the
        // same trajectory as the original.
        torch::manual_seed(3);
        torch::nn::Linear a(4, 3), b(4, 3);
        {
            torch::NoGradGuard g;
            for (size_t i = 0; i < a->parameters().size(); ++i) b->parameters()[i].copy_(a->parameters()[i]);
        }
        torch::optim::Adam optA(a->parameters(), torch::optim::AdamOptions(0.01).betas({0.5, 0.999}));
        const auto x = torch::randn({8, 4});
        auto stepOn = [&](torch::nn::Linear& m, torch::optim::Adam& opt) {
            opt.zero_grad();
            m->forward(x).pow(2).mean().backward();
            opt.step();
        };
        for (int i = 0; i < 3; ++i) stepOn(a, optA);
        {
            torch::NoGradGuard g;
            for (size_t i = 0; i < a->parameters().size(); ++i) b->parameters()[i].copy_(a->parameters()[i]);
        }
        torch::optim::Adam optB(b->parameters(), torch::optim::AdamOptions(0.01).betas({0.5, 0.999}));
        const auto record = captureAdamState(optA, *a);
        QCOMPARE(int(record.size()), 2);
        QCOMPARE(record[0].second.step, int64_t(3));
        restoreAdamState(optB, *b, record, "test");
        for (int i = 0; i < 3; ++i) {
            stepOn(a, optA);
            stepOn(b, optB);
        }
        for (size_t i = 0; i < a->parameters().size(); ++i)
            QCOMPARE(maxAbsDiff(a->parameters()[i], b->parameters()[i]), 0.0);

        AdamStateRecord wrong = record;
        wrong[0].second.exp_avg = torch::zeros({5});
        QVERIFY_EXCEPTION_THROWN(restoreAdamState(optB, *b, wrong, "test"), Error);
        wrong = record;
        wrong[0].first = "nonexistent";
        QVERIFY_EXCEPTION_THROWN(restoreAdamState(optB, *b, wrong, "test"), Error);
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"
