// Issue 8: broken model files and training checkpoints through the CLI, as child processes. The readers'
// unit tests (tests/core/io, tests/core/train) check each error in process; here every broken file goes
// through every command that opens one (translate, eval, inspect, convert; train --resume, export), and each
// must exit 1 with a message naming the file and the reason: never a crash, never a half-written output.

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>
#include <limits>

#include "core/common/error.h"
#include "core/io/model_io.h"
#include "core/train/checkpoint.h"
#include "core/train/trainer.h"
#include "tests/core/reliability/reliability_support.h"
#include "tests/core/train/train_test_helpers.h"
#include "tests/support/bad_inputs.h"
#include "tests/support/torch_save.h"

namespace fs = std::filesystem;
using namespace p2p;
using namespace p2p::test;

namespace {

std::string readAll(const QString& path) {
    std::ifstream in(path.toStdString(), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeAll(const QString& path, const std::string& bytes) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    std::ofstream out(path.toStdString(), std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string asPth(const StateDict& dict) {
    return torchSaveBytes(dict);
}

StateDict cloned(const torch::nn::Module& module) {
    StateDict dict = stateDictOf(module);
    for (auto& [key, value] : dict) value = value.detach().clone();
    return dict;
}

}  // namespace

class TestReliabilityModels : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    QString good_, data_, run_;
    QString fuzzCorpus(const char* name) const {
        return QStringLiteral(P2P_SOURCE_DIR "/tools/fuzz/corpus/pth/") + name;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QVERIFY2(!cliPath().isEmpty(), "the pix2pix CLI is not built (set P2P_CLI)");
        configureThreads(1);
        torch::manual_seed(1);
        UnetGenerator g(tinyGeneratorOptions("unet_128"));
        initWeights(*g);
        good_ = dir_.filePath("good.p2pm");
        saveModel(good_.toStdString(), g, PatchDiscriminator(nullptr), {});
        data_ = QString::fromStdString(writeTinyTrainSet(dir_, 2, 128));
        writeTinyAlignedSet((data_ + "/test").toStdString(), 1, 128, 9);
        // A real run with a checkpoint, for the checkpoint cases.
        run_ = dir_.filePath("run");
        TrainOptions o = tinyTrainOptions(data_.toStdString(), run_.toStdString());
        o.load_size = o.crop_size = 128;
        Trainer trainer(o);
        struct Silent : TrainingObserver {
        } silent;
        trainer.runSteps(2, silent);
        trainer.saveCheckpoint();
    }

    // Positive controls: the well-formed files these cases are made from do work.
    void controlsWork() {
        P2P_EXPECT_EXIT(runPix2pix({"inspect", "--model", good_}), 0);
        UnetGenerator g(tinyGeneratorOptions("unet_128"));
        const QString pth = dir_.filePath("control/latest_net_G.pth");
        writeAll(pth, asPth(stateDictOf(*g)));
        const ChildRun r = runPix2pix({"translate", "--model", pth, "--input", data_ + "/test", "--output",
                                       dir_.filePath("control-out"), "--device", "cpu"});
        P2P_EXPECT_EXIT(r, 0);
        P2P_EXPECT_EXIT(runPix2pix({"export", "--checkpoint", run_ + "/checkpoints/latest.ckpt", "--output",
                                    dir_.filePath("control.p2pm")}),
                        0);
    }

    void brokenModelFiles_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QStringList>("extra");  // architecture flags for translate / inspect / convert
        // Which commands must refuse it: inspect reads only the structure (keys, shapes, dtypes), so a file
        // whose structure is fine but whose values are not passes there; eval takes no architecture flags.
        QTest::addColumn<bool>("inspectRefuses");
        QTest::addColumn<bool>("evalRefuses");
        auto row = [](const char* tag, const char* name, const std::string& bytes, const char* reason,
                      QStringList extra = {}, bool inspectRefuses = true, bool evalRefuses = true) {
            QTest::newRow(tag) << name << QByteArray(bytes.data(), int(bytes.size())) << reason << extra
                               << inspectRefuses << evalRefuses;
        };
        const QStringList tinyUnet128{"--netG", "unet_128", "--ngf", "8", "--norm", "batch"};
        const std::string good = readAll(good_);
        row("zero bytes", "empty.p2pm", "", "");
        row("random bytes", "random.p2pm", std::string(5000, '\x5a'), "");
        {
            const auto png = validPairPng(3);
            row("an image named .pth", "image.pth", std::string(png.begin(), png.end()), "");
        }
        row("truncated .p2pm", "truncated.p2pm", good.substr(0, good.size() / 2), "");
        row("zip without data.pkl", "nopickle.pth", readAll(fuzzCorpus("malformed_zip_without_data_pkl.pth")),
            "without a data.pkl");
        row("pickle with a forbidden global", "evil.pth",
            readAll(fuzzCorpus("malformed_forbidden_os_system.pth")), "forbidden global 'os.system'");
        row("pickle with an unknown opcode", "opcode.pth", readAll(fuzzCorpus("malformed_bad_opcode.pth")),
            "unsupported pickle opcode");
        {
            DiscriminatorOptions d;
            d.ndf = 8;
            row("wrong architecture: a discriminator", "latest_net_D.pth",
                asPth(stateDictOf(*PatchDiscriminator(d))), "discriminator", {}, /*inspectRefuses=*/false);
        }
        {
            UnetGenerator big(tinyGeneratorOptions("unet_256"));
            row("wrong architecture: unet_256 weights read as unet_128", "big.pth", asPth(stateDictOf(*big)),
                "does not match the network", tinyUnet128, /*inspectRefuses=*/false, /*evalRefuses=*/false);
        }
        {
            UnetGenerator g(tinyGeneratorOptions("unet_128"));
            StateDict dict = cloned(*g);
            dict[0].second = dict[0].second.to(torch::kInt64);
            row("wrong dtype: integer weights", "integer.pth", asPth(dict), "dtype Long", tinyUnet128, false);
        }
        {
            UnetGenerator g(tinyGeneratorOptions("unet_128"));
            StateDict dict = cloned(*g);
            dict[0].second.view(-1)[0] = std::numeric_limits<float>::quiet_NaN();
            row("NaN weights", "nan.pth", asPth(dict), "NaN", tinyUnet128, false);
        }
    }
    void brokenModelFiles() {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        QFETCH(QStringList, extra);
        const QString folder =
            dir_.filePath(QString("models/%1").arg(QTest::currentDataTag()).replace(' ', '_'));
        const QString path = folder + "/" + name;
        writeAll(path, bytes.toStdString());
        QFETCH(bool, inspectRefuses);
        QFETCH(bool, evalRefuses);
        // What went wrong, or "" when the command refused the file as it should.
        auto refusal = [&](const char* what, const ChildRun& r) -> QString {
            const QString context = QString(what) + ": ";
            if (!r.clean()) return context + "did not end cleanly\n" + r.describe();
            if (r.exitCode != 1) return context + "expected exit 1\n" + r.describe();
            if (!hasLineWith(r.err, {"error:", path}) && !hasLineWith(r.err, {"error:", name}))
                return context + "the file is not named\n" + r.describe();
            if (!reason.isEmpty() && !r.err.contains(reason)) return context + "no reason\n" + r.describe();
            return {};
        };
        QString problem = refusal(
            "translate", runPix2pix(QStringList{"translate", "--model", path, "--input", data_ + "/test",
                                                "--output", folder + "/out", "--device", "cpu"} +
                                    extra));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY2(!QFileInfo::exists(folder + "/out") || QDir(folder + "/out").isEmpty(),
                 "translate wrote output");
        if (evalRefuses) {
            problem =
                refusal("eval", runPix2pix({"eval", "--model", path, "--data", data_, "--device", "cpu"}));
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
        const ChildRun inspect = runPix2pix(QStringList{"inspect", "--model", path} + extra);
        if (inspectRefuses) {
            problem = refusal("inspect", inspect);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        } else {
            P2P_EXPECT_EXIT(inspect, 0);
        }
        if (name.endsWith(".pth")) {
            problem = refusal(
                "convert",
                runPix2pix(QStringList{"convert", "--model", path, "--output", folder + "/c.p2pm"} + extra));
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
            QVERIFY2(!QFileInfo::exists(folder + "/c.p2pm"), "convert wrote a model");
        }
    }

    // A broken checkpoints/latest.ckpt: `train --resume` and `export` refuse it by name, and write nothing.
    void brokenCheckpoints_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        const std::string good = readAll(run_ + "/checkpoints/latest.ckpt");
        auto row = [](const char* tag, const std::string& bytes, const char* reason) {
            QTest::newRow(tag) << QByteArray(bytes.data(), int(bytes.size())) << reason;
        };
        row("zero bytes", "", "");
        row("random bytes", std::string(100000, '\x33'), "");
        row("truncated", good.substr(0, good.size() / 2), "");
        row("a model file", readAll(good_), "not a Pix2Pix Studio training checkpoint");
        {
            std::string flipped = good;
            flipped[flipped.size() / 2] ^= 0x10;  // somewhere in the tensor data
            row("one bit flipped", flipped, "");
        }
        {
            TrainingCheckpoint c = loadTrainingCheckpoint((run_ + "/checkpoints/latest.ckpt").toStdString());
            c.generator[0].second = c.generator[0].second.clone();
            c.generator[0].second.view(-1)[0] = std::numeric_limits<float>::quiet_NaN();
            const QString nan = dir_.filePath("nan.ckpt");
            saveTrainingCheckpoint(c, {nan.toStdString()});  // a consistent checksum over NaN weights
            row("NaN weights", readAll(nan), "NaN");
        }
    }
    void brokenCheckpoints() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        const QString copy = dir_.filePath(QString("runs/%1").arg(QTest::currentDataTag()).replace(' ', '_'));
        QVERIFY(QDir().mkpath(copy + "/checkpoints"));
        QFile::copy(run_ + "/options.json", copy + "/options.json");
        const QString latest = copy + "/checkpoints/latest.ckpt";
        writeAll(latest, bytes.toStdString());
        for (const auto& [what, r] :
             {std::pair<const char*, ChildRun>{"train --resume", runPix2pix({"train", "--resume", copy})},
              std::pair<const char*, ChildRun>{
                  "export",
                  runPix2pix({"export", "--checkpoint", latest, "--output", copy + "/exported.p2pm"})}}) {
            P2P_EXPECT_EXIT(r, 1);
            QVERIFY2(hasLineWith(r.err, {"error:", latest}), qPrintable(QString(what) + "\n" + r.describe()));
            if (!reason.isEmpty())
                QVERIFY2(r.err.contains(reason), qPrintable(QString(what) + "\n" + r.describe()));
        }
        QVERIFY(!QFileInfo::exists(copy + "/exported.p2pm"));
        QVERIFY(!QFileInfo::exists(copy + "/model.p2pm"));
        QCOMPARE(readAll(latest), bytes.toStdString());  // the evidence is left as it was
    }
};

QTEST_GUILESS_MAIN(TestReliabilityModels)
#include "test_reliability_models.moc"
