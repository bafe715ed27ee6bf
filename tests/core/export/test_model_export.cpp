// Models leave the studio: ONNX checked by an independent runtime (OpenCV's DNN module), reference-format
// .pth read back by our importer and by Python's torch.load, every kind of source, and bad input.

#include <QtTest/QtTest>

#include <QProcess>
#include <QTemporaryDir>

#include <filesystem>
#include <fstream>

#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/common/error.h"
#include "core/export/model_export.h"
#include "core/export/model_source.h"
#include "core/io/model_io.h"
#include "core/io/pickle_state_dict.h"
#include "core/io/state_dict.h"
#include "tests/core/train/train_test_helpers.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace p2p;

namespace {

// A small generator whose BatchNorm running statistics are not the initial ones (so eval and image
// statistics differ), saved as a .p2pm.
std::string writeModel(const QString& dir, const std::string& netG, Norm norm, bool dropout,
                       Upsample upsample = Upsample::Transposed) {
    torch::manual_seed(7);
    GeneratorOptions g = test::tinyGeneratorOptions(netG, norm);
    g.dropout = dropout;
    g.upsample = upsample;
    UnetGenerator generator(g);
    initWeights(*generator);
    {
        torch::NoGradGuard noGrad;
        generator->train();
        for (int i = 0; i < 3; ++i) generator->forward(torch::randn({2, 3, 256, 256}));
    }
    const std::string path =
        QDir(dir).filePath(QString::fromStdString(netG + "-" + toString(norm) + (dropout ? "-dropout" : "") + "-" +
                                                      toString(upsample) + ".p2pm"))
            .toStdString();
    SaveModelOptions save;
    save.name = "tiny";
    save.input_kind = "facade-labels";
    save.metadata = {{"label_palette", "facades"}};
    saveModel(path, generator, PatchDiscriminator{nullptr}, save);
    return path;
}

// What our network computes in fp32 for `x`: eval mode (running statistics) or the image's own statistics
// (BatchNorm in train mode at batch 1, no dropout), as the engine's two normalisation modes.
torch::Tensor ourOutput(const std::string& model, const torch::Tensor& x, NormStats norm) {
    LoadedModel m = loadModel(model);
    torch::NoGradGuard noGrad;
    if (norm == NormStats::Running) {
        m.generator->eval();
        return m.generator->forward(x);
    }
    m.generator->train();  // batch statistics; the models used with image statistics have no dropout
    torch::Tensor out;
    for (int64_t i = 0; i < x.size(0); ++i) {
        const torch::Tensor one = m.generator->forward(x.slice(0, i, i + 1));
        out = out.defined() ? torch::cat({out, one}) : one;
    }
    return out;
}

torch::Tensor openCvOutput(const std::string& onnx, const torch::Tensor& x) {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(onnx);
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    const torch::Tensor input = x.contiguous();
    const int sizes[4] = {int(input.size(0)), int(input.size(1)), int(input.size(2)), int(input.size(3))};
    net.setInput(cv::Mat(4, sizes, CV_32F, input.data_ptr<float>()).clone(), "input");
    const cv::Mat out = net.forward();
    std::vector<int64_t> shape;
    for (int i = 0; i < out.dims; ++i) shape.push_back(out.size[i]);
    return torch::from_blob(const_cast<float*>(out.ptr<float>()), shape, torch::kFloat32).clone();
}

bool leftNoTemporaryFiles(const QString& dir) {
    for (const auto& e : fs::directory_iterator(dir.toStdString()))
        if (e.path().filename().string().find(".tmp") != std::string::npos) return false;
    return true;
}

}  // namespace

class TestModelExport : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void onnxMatchesOpenCvDnn_data() {
        QTest::addColumn<QString>("netG");
        QTest::addColumn<QString>("norm");
        QTest::addColumn<QString>("stats");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("batch");
        QTest::addColumn<QString>("upsample");
        for (const char* netG : {"unet_256", "unet_128"})
            for (const auto& [h, w] : {std::pair{256, 256}, std::pair{256, 512}}) {
                const QString size = QStringLiteral("%1x%2").arg(w).arg(h);
                QTest::addRow("%s batch running %s", netG, qPrintable(size)) << netG << "batch" << "running" << h << w << 2 << "transposed";
                QTest::addRow("%s batch image %s", netG, qPrintable(size)) << netG << "batch" << "image" << h << w << 1 << "transposed";
                QTest::addRow("%s instance %s", netG, qPrintable(size)) << netG << "instance" << "running" << h << w << 2 << "transposed";
            }
        // Upsample::Resize: ONNX Resize (nearest, asymmetric, floor) and a 3x3 Conv.
        QTest::newRow("unet_256 batch running 256x256 resize") << "unet_256" << "batch" << "running" << 256 << 256 << 2 << "resize";
        QTest::newRow("unet_128 batch image 512x256 resize") << "unet_128" << "batch" << "image" << 256 << 512 << 1 << "resize";
        QTest::newRow("unet_128 instance 256x256 resize") << "unet_128" << "instance" << "running" << 256 << 256 << 2 << "resize";
    }
    void onnxMatchesOpenCvDnn() {
        QFETCH(QString, netG);
        QFETCH(QString, norm);
        QFETCH(QString, stats);
        QFETCH(int, height);
        QFETCH(int, width);
        QFETCH(int, batch);
        QFETCH(QString, upsample);
        const NormStats normStats = normStatsFromString(stats.toStdString());
        // Dropout is left out of the export; the image-statistics reference runs in train mode, so without it.
        const std::string model = writeModel(dir_.path(), netG.toStdString(), normFromString(norm.toStdString()),
                                             normStats == NormStats::Running, upsampleFromString(upsample.toStdString()));
        const std::string onnx =
            dir_.filePath(QStringLiteral("%1-%2-%3-%4.onnx").arg(netG, norm, stats, upsample)).toStdString();
        OnnxExportOptions options;
        options.norm = normStats;
        const ExportResult result = exportOnnx(model, onnx, options);
        QVERIFY2(QString::fromStdString(result.summary).contains("ONNX opset 13"), result.summary.c_str());

        torch::manual_seed(3);
        const torch::Tensor x = torch::rand({batch, 3, height, width}) * 2 - 1;
        const torch::Tensor ours = ourOutput(model, x, normStats);
        const torch::Tensor theirs = openCvOutput(onnx, x);
        QCOMPARE(theirs.sizes().vec(), ours.sizes().vec());
        const double diff = test::maxAbsDiff(ours, theirs);
        qInfo("max |ours - OpenCV DNN| = %.2g", diff);
        QVERIFY2(diff < 1e-4, qPrintable(QStringLiteral("max |ours - OpenCV DNN| = %1").arg(diff)));
        QVERIFY(ours.abs().max().item<double>() > 0.01);  // not a trivially equal (zero) output
        if (norm == QStringLiteral("batch")) {  // the two statistics modes differ, so matching one means something
            const NormStats other = normStats == NormStats::Image ? NormStats::Running : NormStats::Image;
            const double apart = test::maxAbsDiff(ourOutput(model, x, other), theirs);
            QVERIFY2(apart > 1e-3, qPrintable(QStringLiteral("the other statistics mode is only %1 away").arg(apart)));
        }
    }

    void onnxCarriesTheModelsMetadata() {
        const std::string model = writeModel(dir_.path(), "unet_128", Norm::Batch, true);
        const std::string onnx = dir_.filePath("meta.onnx").toStdString();
        exportOnnx(model, onnx);
        std::ifstream in(onnx, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (const char* expected : {"input_kind", "facade-labels", "label_palette", "facades", "normalization",
                                     "provenance", "pix2pix-studio"})
            QVERIFY2(bytes.find(expected) != std::string::npos, expected);
    }

    void pthRoundTripsTheReferenceFixture() {
        P2P_REQUIRE_SHARED(fixture, "fixtures/g_unet256_ngf8_batch_eval");
        const std::string source = fixture + "/net_G.pth";
        const std::string exported = dir_.filePath("exported_net_G.pth").toStdString();
        exportReferencePth(source, exported);
        // The same keys, in the same order, with the same values as the file the reference wrote.
        const StateDict original = readTorchStateDict(source);
        const StateDict written = readTorchStateDict(exported);
        QCOMPARE(written.size(), original.size());
        for (size_t i = 0; i < original.size(); ++i) {
            QCOMPARE(written[i].first, original[i].first);
            QVERIFY2(torch::equal(written[i].second, original[i].second), original[i].first.c_str());
        }
        // Our importer reads it back to identical weights.
        const LoadedModel a = loadModel(source), b = loadModel(exported);
        QVERIFY(a.info.generator.upsample == Upsample::Transposed);  // reference files are always transposed
        const StateDict wa = stateDictOf(*a.generator), wb = stateDictOf(*b.generator);
        for (size_t i = 0; i < wa.size(); ++i) QVERIFY(torch::equal(wa[i].second, wb[i].second));

        // And Python's torch.load (Debian's python3-torch) returns it as the reference's state dict.
        const QString python = qEnvironmentVariable("P2P_PYTHON", QStringLiteral("/usr/bin/python3"));
        QProcess probe;
        probe.start(python, {"-c", "import torch"});
        if (!probe.waitForFinished(60000) || probe.exitStatus() != QProcess::NormalExit || probe.exitCode() != 0)
            P2P_SKIP_UNLESS_REQUIRED("P2P_TESTS_REQUIRE_SHARED",
                                     QStringLiteral("%1 cannot import torch (apt-get install python3-torch)").arg(python));
        QProcess check;
        check.start(python, {QStringLiteral(P2P_SOURCE_DIR "/tests/core/export/check_reference_pth.py"),
                             QString::fromStdString(exported), QString::fromStdString(fixture)});
        QVERIFY(check.waitForFinished(120000));
        const QString out = check.readAllStandardOutput() + check.readAllStandardError();
        QVERIFY2(check.exitCode() == 0, qPrintable(out));
        QVERIFY2(out.contains("ok:"), qPrintable(out));
    }

    // A resize model's state dict is written like any other; our reader takes it back as resize, and the
    // summary does not promise that the reference's define_G loads it.
    void pthOfAResizeModelRoundTrips() {
        const std::string model = writeModel(dir_.path(), "unet_128", Norm::Batch, true, Upsample::Resize);
        const std::string exported = dir_.filePath("resize_net_G.pth").toStdString();
        const ExportResult result = exportReferencePth(model, exported);
        QVERIFY2(result.summary.find("not the reference's architecture") != std::string::npos, result.summary.c_str());
        const LoadedModel a = loadModel(model), b = loadModel(exported);
        QVERIFY(b.info.generator == a.info.generator);
        QVERIFY(b.info.generator.upsample == Upsample::Resize);
        const StateDict wa = stateDictOf(*a.generator), wb = stateDictOf(*b.generator);
        QCOMPARE(wb.size(), wa.size());
        for (size_t i = 0; i < wa.size(); ++i) {
            QCOMPARE(wb[i].first, wa[i].first);
            QVERIFY(torch::equal(wa[i].second, wb[i].second));
        }
    }

    void everyKindOfSource() {
        // A checkpoint and a run folder, from a tiny CLI run; a .p2pm and a reference .pth.
        const QString data = dir_.filePath("data"), run = dir_.filePath("run");
        test::writeTinyAlignedSet((data + "/train").toStdString(), 2, 64, 1);
        const auto r = test::runCli(test::tinyCliTrainFlags(data, run) +
                                    QStringList{"--n_epochs", "1", "--n_epochs_decay", "0"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        struct Case { std::string path, says; };
        const std::vector<Case> cases = {
            {(run + "/checkpoints/latest.ckpt").toStdString(), "training checkpoint"},
            {run.toStdString(), "run folder"},
            {writeModel(dir_.path(), "unet_128", Norm::Instance, false), "model"},
        };
        for (const auto& c : cases) {
            const std::string onnx = dir_.filePath("source.onnx").toStdString();
            const ExportResult e = exportOnnx(c.path, onnx);
            QVERIFY2(e.source.find(c.says) != std::string::npos, e.source.c_str());
            const std::string pth = dir_.filePath("source.pth").toStdString();
            exportReferencePth(c.path, pth);
            const OpenedModel back = openModelSource(pth);
            QCOMPARE(back.model.info.format, std::string("reference-pth"));
        }
        // translate and eval take the same four kinds, and say which file they used.
        const QString input = dir_.filePath("label.png");
        QVERIFY(cv::imwrite(input.toStdString(), cv::Mat(64, 64, CV_8UC3, cv::Scalar(30, 60, 200))));
        // A finished run folder's newest model is the model.p2pm written after its last checkpoint.
        for (const auto& [source, used] : {std::pair{run, QStringLiteral("model.p2pm [p2pm]")},
                                           std::pair{run + "/checkpoints/latest.ckpt",
                                                     QStringLiteral("latest.ckpt [checkpoint]")}}) {
            const auto t = test::runCli({"translate", "--model", source, "--input", input, "--output",
                                         dir_.filePath("translated.png")});
            QVERIFY2(t.exitCode == 0, qPrintable(t.err));
            QVERIFY2(t.err.contains(used), qPrintable(t.err));
            const auto e = test::runCli({"eval", "--model", source, "--data", data, "--split", "train"});
            QVERIFY2(e.exitCode == 0, qPrintable(e.err + e.out));
        }
    }

    void badInputNamesTheFileAndLeavesNothing() {
        const QString out = dir_.filePath("bad-out");
        QVERIFY(QDir().mkpath(out));
        const QString notAModel = dir_.filePath("notes.txt");
        QFile f(notAModel);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a model");
        f.close();
        try {
            exportOnnx(notAModel.toStdString(), (out + "/x.onnx").toStdString());
            QFAIL("exported a text file");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(notAModel), e.what());
        }
        // A destination inside a file (not a folder) cannot be written.
        const std::string model = writeModel(dir_.path(), "unet_128", Norm::Batch, false);
        for (auto* exporter : {+[](const std::string& s, const std::string& o) { exportOnnx(s, o); },
                               +[](const std::string& s, const std::string& o) { exportReferencePth(s, o); }}) {
            const std::string blocked = (notAModel + "/model.out").toStdString();
            try {
                exporter(model, blocked);
                QFAIL("wrote below a file");
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains(notAModel), e.what());
            }
        }
        QVERIFY(leftNoTemporaryFiles(out));
        QVERIFY(leftNoTemporaryFiles(dir_.path()));
        QCOMPARE(QDir(out).entryList(QDir::Files).size(), 0);
    }

    void cliExportsAndRefusesBadUsage() {
        const std::string model = writeModel(dir_.path(), "unet_128", Norm::Batch, true);
        const QString onnx = dir_.filePath("cli.onnx"), pth = dir_.filePath("cli.pth");
        const auto ok = test::runCli({"export", "--model", QString::fromStdString(model), "--onnx", onnx, "--pth", pth,
                                      "--norm-stats", "running"});
        QVERIFY2(ok.exitCode == 0, qPrintable(ok.err + ok.out));
        QVERIFY2(ok.out.contains("ONNX opset 13") && ok.out.contains("load_state_dict"), qPrintable(ok.out));
        QVERIFY(QFileInfo(onnx).size() > 0 && QFileInfo(pth).size() > 0);
        QCOMPARE(test::runCli({"export", "--model", QString::fromStdString(model)}).exitCode, 2);  // nothing to write
        QCOMPARE(test::runCli({"export", "--model", QString::fromStdString(model), "--pth", pth, "--norm-stats", "image"})
                     .exitCode,
                 2);
        const auto missing = test::runCli({"export", "--model", dir_.filePath("missing.p2pm"), "--onnx", onnx});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("missing.p2pm"), qPrintable(missing.err));
    }
};

QTEST_MAIN(TestModelExport)
#include "test_model_export.moc"
