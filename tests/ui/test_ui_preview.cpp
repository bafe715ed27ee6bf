// The live preview's worker thread with real (tiny) models saved by core: newest request wins, the GUI
// thread keeps running while a slow model works, errors come back as signals.

#include <QtTest/QtTest>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/runtime.h"
#include "core/infer/inference_engine.h"
#include "core/io/model_io.h"
#include "core/labels/palette.h"
#include "tests/support/test_support.h"
#include "ui/image_convert.h"
#include "ui/preview/compare_split.h"
#include "ui/preview/frame_rate.h"
#include "ui/preview/preview_controller.h"
#include "ui/preview/preview_view.h"

using namespace p2p;
using namespace p2p::ui;

namespace {

std::string saveTinyModel(const QString& dir, const std::string& name, GeneratorOptions g, bool withD,
                          nlohmann::json metadata = nlohmann::json::object()) {
    torch::manual_seed(7);
    UnetGenerator generator(g);
    PatchDiscriminator discriminator{nullptr};
    if (withD) {
        DiscriminatorOptions d;
        d.ndf = 8;
        discriminator = PatchDiscriminator(d);
    }
    SaveModelOptions o;
    o.name = name;
    o.input_kind = "facade-labels";
    o.metadata = std::move(metadata);
    const std::string path = QDir(dir).filePath(QString::fromStdString(name + ".p2pm")).toStdString();
    saveModel(path, generator, discriminator, o);
    return path;
}

EngineOptions testEngine() {
    EngineOptions o;
    o.device = p2p::Device::cpu();
    o.threads = 1;
    o.precision = "fp32";  // the same arithmetic in the worker and in the test's reference engine
    o.warm_up = false;
    return o;
}

// Distinct canvases: request i has a rectangle whose position and colour depend on i.
cv::Mat canvas(int i, int size = 128) {
    cv::Mat m(size, size, CV_8UC3, cv::Scalar(255, 85, 0));
    cv::rectangle(m, cv::Rect(4 + 3 * i, 10 + 2 * i, 30, 40), cv::Scalar(0, 170 - 5 * i, 255), cv::FILLED);
    return m;
}

// A label canvas in the studio's CMP colours with every class in it: 12 horizontal bands.
cv::Mat cmpLabelCanvas(int size = 128) {
    cv::Mat ids(size, size, CV_8UC1);
    for (int y = 0; y < size; ++y) ids.row(y).setTo(1 + (y * 12) / size);
    return labelsToColour(ids, LabelPalette::Cmp);
}

bool waitForModel(QSignalSpy& loaded, QSignalSpy& failedLoads) {
    return QTest::qWaitFor([&] { return loaded.count() + failedLoads.count() > 0; }, 60000) &&
           loaded.count() == 1;
}

}  // namespace

class TestPreview : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string tinyPath_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        tinyPath_ =
            saveTinyModel(dir_.path(), "tiny", test::tinyGeneratorOptions("unet_128"), /*withD=*/true);
    }

    void burstRunsOnlyTheNewest() {
        PreviewController controller(testEngine());
        QSignalSpy loaded(&controller, &PreviewController::modelLoaded);
        QSignalSpy loadFailed(&controller, &PreviewController::modelLoadFailed);
        QSignalSpy results(&controller, &PreviewController::resultReady);
        controller.loadModel(QString::fromStdString(tinyPath_));
        QVERIFY(waitForModel(loaded, loadFailed));
        QCOMPARE(loaded.at(0).at(0).value<LoadedModelSummary>().info.name, std::string("tiny"));

        quint64 last = 0;
        for (int i = 0; i < 20; ++i) last = controller.request(canvas(i));
        QVERIFY(QTest::qWaitFor(
            [&] { return !results.isEmpty() && results.last().at(0).value<PreviewResult>().id == last; },
            60000));
        QTest::qWait(50);  // nothing else may still arrive
        QVERIFY2(controller.inferenceCount() < 20, qPrintable(QString::number(controller.inferenceCount())));
        QCOMPARE(controller.inferenceCount(), results.count());
        const PreviewResult final = results.last().at(0).value<PreviewResult>();

        // The same model, run directly on the last canvas, gives the image shown.
        InferenceEngine reference(testEngine());
        reference.load(tinyPath_);
        const cv::Mat expected = reference.translate(canvas(19));
        const cv::Mat shown = qImageToMat(final.image);
        QCOMPARE(shown.size(), expected.size());
        QVERIFY(cv::norm(shown, expected, cv::NORM_INF) <= 1);
        // ...and it is not what the first canvas gives, so the comparison tells requests apart.
        QVERIFY(cv::norm(reference.translate(canvas(0)), expected, cv::NORM_INF) > 1);
        QVERIFY(final.latency_ms > 0);
    }

    void guiStaysResponsiveWhileASlowModelRuns() {
        // A model slow enough that one translation takes far longer than the heartbeat bound below.
        GeneratorOptions g = test::tinyGeneratorOptions("unet_256");
        g.ngf = 32;
        const std::string slowPath = saveTinyModel(dir_.path(), "slow", g, false);
        EngineOptions e = testEngine();
        e.fast_path = false;
        PreviewController controller(e);
        QSignalSpy loaded(&controller, &PreviewController::modelLoaded);
        QSignalSpy loadFailed(&controller, &PreviewController::modelLoadFailed);
        QSignalSpy results(&controller, &PreviewController::resultReady);
        controller.loadModel(QString::fromStdString(slowPath));
        QVERIFY(waitForModel(loaded, loadFailed));

        QElapsedTimer clock;
        qint64 lastBeat = -1, maxGap = 0;
        int beats = 0, next = 0;
        QTimer heartbeat;
        heartbeat.setInterval(5);
        QObject::connect(&heartbeat, &QTimer::timeout, [&] {
            const qint64 now = clock.elapsed();
            if (lastBeat >= 0) maxGap = std::max(maxGap, now - lastBeat);
            lastBeat = now;
            ++beats;
            controller.request(canvas(next++ % 20, 512));  // painting goes on: a request per beat
        });
        clock.start();
        heartbeat.start();
        QVERIFY(QTest::qWaitFor([&] { return results.count() >= 2; }, 120000));
        heartbeat.stop();

        double slowest = 0;
        for (const auto& r : results) slowest = std::max(slowest, r.at(0).value<PreviewResult>().latency_ms);
        const QString info =
            QStringLiteral(
                "max heartbeat gap %1 ms, slowest translation %2 ms, %3 beats, %4 requests, %5 inferences")
                .arg(maxGap)
                .arg(slowest, 0, 'f', 0)
                .arg(beats)
                .arg(next)
                .arg(controller.inferenceCount());
        qInfo("%s", qPrintable(info));
        // Generous bounds, not a benchmark: if translations ran on this thread, the gap would be a whole one.
        QVERIFY2(maxGap < 1000, qPrintable(info));
        QVERIFY2(maxGap < slowest / 2, qPrintable(info));
        QVERIFY2(controller.inferenceCount() < next, qPrintable(info));  // requests coalesced
    }

    void errorsArriveAsSignals() {
        PreviewController controller(testEngine());
        QSignalSpy failed(&controller, &PreviewController::failed);
        QSignalSpy loadFailed(&controller, &PreviewController::modelLoadFailed);

        controller.request(canvas(0));  // no model yet
        QVERIFY(QTest::qWaitFor([&] { return failed.count() == 1; }, 30000));
        QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("no model loaded")));

        const QString corrupt = dir_.filePath(QStringLiteral("corrupt.p2pm"));
        QFile f(corrupt);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a model");
        f.close();
        controller.loadModel(corrupt);
        QVERIFY(QTest::qWaitFor([&] { return loadFailed.count() == 1; }, 30000));
        QCOMPARE(loadFailed.at(0).at(0).toString(), corrupt);
        QVERIFY(loadFailed.at(0).at(1).toString().contains(corrupt));
        QCOMPARE(loadFailed.at(0).at(2).toBool(), false);  // not a .pth needing netG/ngf/norm

        controller.loadModel(dir_.filePath(QStringLiteral("missing.p2pm")));
        QVERIFY(QTest::qWaitFor([&] { return loadFailed.count() == 2; }, 30000));

        // A translation error (an empty image) is a signal too, and the worker keeps serving.
        QSignalSpy loaded(&controller, &PreviewController::modelLoaded);
        controller.loadModel(QString::fromStdString(tinyPath_));
        QVERIFY(QTest::qWaitFor([&] { return loaded.count() == 1; }, 30000));
        controller.request(cv::Mat());
        QVERIFY(QTest::qWaitFor([&] { return failed.count() == 2; }, 30000));
        QSignalSpy results(&controller, &PreviewController::resultReady);
        controller.request(canvas(1));
        QVERIFY(QTest::qWaitFor([&] { return results.count() == 1; }, 30000));
    }

    // A GPU that fails (here: CUDA asked for where this LibTorch or machine has none) leaves the preview
    // working on the CPU, with a signal that says why; the model loads and translates there.
    void failingGpuFallsBackToCpu() {
        if (cudaAvailable()) QSKIP("this machine has CUDA: asking for it does not fail here");
        EngineOptions o = testEngine();
        o.device = p2p::Device::cuda();
        o.precision = "fp16";
        PreviewController controller(o);
        QSignalSpy fellBack(&controller, &PreviewController::deviceFellBack);
        QSignalSpy loaded(&controller, &PreviewController::modelLoaded);
        QSignalSpy loadFailed(&controller, &PreviewController::modelLoadFailed);
        QSignalSpy results(&controller, &PreviewController::resultReady);
        controller.loadModel(QString::fromStdString(tinyPath_));
        QVERIFY(waitForModel(loaded, loadFailed));
        QCOMPARE(fellBack.count(), 1);
        QVERIFY2(fellBack.at(0).at(0).toString().contains(QStringLiteral("CUDA")),
                 qPrintable(fellBack.at(0).at(0).toString()));
        QCOMPARE(loaded.at(0).at(0).value<LoadedModelSummary>().device, QStringLiteral("CPU"));
        controller.request(canvas(2));
        QVERIFY(QTest::qWaitFor([&] { return results.count() == 1; }, 60000));
        EngineOptions onCpu = testEngine();
        onCpu.precision = "auto";  // fp16 is CUDA's; on the CPU the engine picks as for any CPU preview
        InferenceEngine reference(onCpu);
        reference.load(tinyPath_);
        QVERIFY(cv::norm(qImageToMat(results.at(0).at(0).value<PreviewResult>().image),
                         reference.translate(canvas(2)), cv::NORM_INF) <= 1);
        QCOMPARE(fellBack.count(), 1);
    }

    // The GPU failing mid-translation (a CUDA error from LibTorch, thrown here by the engine's test hook; the
    // engine starts on the CPU in bf16, the one thing a CPU can fall back from): the engine redoes the
    // request on the CPU at fp32, the worker says so and announces the model again, and the picture still
    // comes.
    void deviceFailingMidTranslationFallsBackToCpu() {
        auto armed = std::make_shared<std::atomic<bool>>(false);
        EngineOptions o = testEngine();
        o.precision = "bf16";
        o.fault_for_testing = [armed](const p2p::Device&) {
            if (armed->exchange(false))
                TORCH_CHECK(false, "CUDA error: an illegal memory access was encountered");
        };
        PreviewController controller(o);
        QSignalSpy fellBack(&controller, &PreviewController::deviceFellBack);
        QSignalSpy loaded(&controller, &PreviewController::modelLoaded);
        QSignalSpy loadFailed(&controller, &PreviewController::modelLoadFailed);
        QSignalSpy results(&controller, &PreviewController::resultReady);
        QSignalSpy failed(&controller, &PreviewController::failed);
        controller.loadModel(QString::fromStdString(tinyPath_));
        QVERIFY(waitForModel(loaded, loadFailed));
        QCOMPARE(fellBack.count(), 0);
        armed->store(true);
        controller.request(canvas(2));
        QVERIFY(QTest::qWaitFor([&] { return results.count() == 1; }, 60000));
        QCOMPARE(failed.count(), 0);
        QCOMPARE(fellBack.count(), 1);
        QVERIFY2(fellBack.at(0).at(0).toString().contains(QStringLiteral("illegal memory access")),
                 qPrintable(fellBack.at(0).at(0).toString()));
        QVERIFY(QTest::qWaitFor([&] { return loaded.count() == 2; }, 10000));
        const auto summary = loaded.last().at(0).value<LoadedModelSummary>();
        QCOMPARE(summary.device, QStringLiteral("CPU"));
        QVERIFY2(summary.description.contains(QStringLiteral("fp32")), qPrintable(summary.description));
        InferenceEngine reference(testEngine());
        reference.load(tinyPath_);
        QVERIFY(cv::norm(qImageToMat(results.at(0).at(0).value<PreviewResult>().image),
                         reference.translate(canvas(2)), cv::NORM_INF) <= 1);
    }

    void heatmapAndVariations() {
        PreviewController controller(testEngine());
        QSignalSpy loaded(&controller, &PreviewController::modelLoaded);
        QSignalSpy loadFailed(&controller, &PreviewController::modelLoadFailed);
        QSignalSpy results(&controller, &PreviewController::resultReady);
        controller.loadModel(QString::fromStdString(tinyPath_));
        QVERIFY(waitForModel(loaded, loadFailed));
        QVERIFY(loaded.at(0).at(0).value<LoadedModelSummary>().has_discriminator);

        auto run = [&](const TranslateOptions& o, bool d) {
            const int before = results.count();
            const quint64 id = controller.request(canvas(3), o, d);
            if (!QTest::qWaitFor([&] { return results.count() > before; }, 30000)) return PreviewResult{};
            PreviewResult r = results.last().at(0).value<PreviewResult>();
            return r.id == id ? r : PreviewResult{};
        };
        const PreviewResult withD = run({}, true);
        QCOMPARE(withD.heatmap.size(), QSize(128, 128));
        QVERIFY(run({}, false).heatmap.isNull());

        TranslateOptions paper;
        paper.mode = TranslateMode::Paper;
        paper.seed = 1;
        const QImage a = run(paper, false).image, again = run(paper, false).image;
        paper.seed = 2;
        const QImage b = run(paper, false).image;
        QVERIFY(!a.isNull() && !b.isNull());
        QCOMPARE(a, again);  // a seed is reproducible
        QVERIFY(a != b);     // another seed is another variation
    }

    void labelCanvasReachesTheModelInItsPalette() {
        // Same weights (same seed), told apart only by the metadata key: facades-set colours by default.
        const std::string facades =
            saveTinyModel(dir_.path(), "labels_default", test::tinyGeneratorOptions(), false);
        const std::string cmp = saveTinyModel(dir_.path(), "labels_cmp", test::tinyGeneratorOptions(), false,
                                              {{"label_palette", "cmp"}});
        const cv::Mat canvasCmp = cmpLabelCanvas();
        const cv::Mat canvasFacades =
            labelsToColour(colourToLabels(canvasCmp, LabelPalette::Cmp), LabelPalette::Pix2PixFacades);
        QVERIFY(cv::norm(canvasCmp, canvasFacades, cv::NORM_INF) > 0);  // the palettes really differ

        InferenceEngine reference(testEngine());
        reference.load(facades);
        const cv::Mat expectFacades = reference.translate(canvasFacades);
        const cv::Mat expectCmp = reference.translate(canvasCmp);
        QVERIFY(cv::norm(expectFacades, expectCmp, cv::NORM_INF) > 0);

        auto preview = [&](const std::string& model, bool labelCanvas, LabelPalette expected) {
            PreviewController controller(testEngine());
            QSignalSpy loaded(&controller, &PreviewController::modelLoaded);
            QSignalSpy loadFailed(&controller, &PreviewController::modelLoadFailed);
            QSignalSpy results(&controller, &PreviewController::resultReady);
            controller.loadModel(QString::fromStdString(model));
            if (!waitForModel(loaded, loadFailed)) return cv::Mat();
            if (loaded.at(0).at(0).value<LoadedModelSummary>().label_palette != expected) return cv::Mat();
            controller.request(canvasCmp, {}, false, labelCanvas);
            if (!QTest::qWaitFor([&] { return results.count() == 1; }, 30000)) return cv::Mat();
            return qImageToMat(results.at(0).at(0).value<PreviewResult>().image);
        };
        // A label canvas goes to a facades-set model in that set's colours, class by class.
        const cv::Mat viaFacades = preview(facades, true, LabelPalette::Pix2PixFacades);
        QVERIFY(!viaFacades.empty());
        QCOMPARE(cv::norm(viaFacades, expectFacades, cv::NORM_INF), 0.0);
        // A model that says it was trained on CMP colours gets the canvas as painted; so does anything
        // that is not a label canvas (a sketch).
        const cv::Mat viaCmp = preview(cmp, true, LabelPalette::Cmp);
        QVERIFY(!viaCmp.empty());
        QCOMPARE(cv::norm(viaCmp, expectCmp, cv::NORM_INF), 0.0);
        const cv::Mat notLabels = preview(facades, false, LabelPalette::Pix2PixFacades);
        QVERIFY(!notLabels.empty());
        QCOMPARE(cv::norm(notLabels, expectCmp, cv::NORM_INF), 0.0);

        // The CLI agrees with the studio: the same canvas saved as a PNG and given to `pix2pix translate`
        // (the same engine settings) comes out byte-identical, for both palettes.
        const QString saved = dir_.filePath(QStringLiteral("canvas.png"));
        QVERIFY(cv::imwrite(saved.toStdString(), canvasCmp));
        auto translated = [&](const std::string& model) {
            const QString out = dir_.filePath(QStringLiteral("translated.png"));
            const auto r = test::runCli({"translate", "--model", QString::fromStdString(model), "--input", saved,
                                         "--output", out, "--device", "cpu", "--threads", "1", "--precision", "fp32",
                                         "--norm-stats", QString::fromStdString(toString(testEngine().preview_norm))});
            if (r.exitCode != 0) qWarning("%s", qPrintable(r.err));
            return r.exitCode == 0 ? cv::imread(out.toStdString(), cv::IMREAD_COLOR) : cv::Mat();
        };
        const cv::Mat cliFacades = translated(facades);
        QVERIFY(!cliFacades.empty());
        QCOMPARE(cv::norm(cliFacades, viaFacades, cv::NORM_INF), 0.0);
        const cv::Mat cliCmp = translated(cmp);
        QVERIFY(!cliCmp.empty());
        QCOMPARE(cv::norm(cliCmp, viaCmp, cv::NORM_INF), 0.0);
    }

    void biggerCanvasesComeBackAtTheirSize_data() {
        QTest::addColumn<QSize>("size");
        QTest::newRow("256 x 256") << QSize(256, 256);
        QTest::newRow("512 x 512") << QSize(512, 512);
        QTest::newRow("1024 x 512, not square") << QSize(1024, 512);
        QTest::newRow("1100 x 300: tiled, padded") << QSize(1100, 300);
    }
    void biggerCanvasesComeBackAtTheirSize() {
        // The generator is fully convolutional and the engine pads (and tiles past 1024): the preview path
        // returns the canvas's own size, with its heatmap, for New Canvas's 512 x 512 and 1024 x 512.
        QFETCH(QSize, size);
        PreviewController controller(testEngine());
        QSignalSpy loaded(&controller, &PreviewController::modelLoaded);
        QSignalSpy loadFailed(&controller, &PreviewController::modelLoadFailed);
        QSignalSpy results(&controller, &PreviewController::resultReady);
        QSignalSpy failed(&controller, &PreviewController::failed);
        controller.loadModel(QString::fromStdString(tinyPath_));
        QVERIFY(waitForModel(loaded, loadFailed));
        cv::Mat labels = cmpLabelCanvas(std::max(size.width(), size.height()))(cv::Rect(0, 0, size.width(), size.height())).clone();
        const quint64 id = controller.request(labels, {}, /*discriminatorMap=*/true, /*labelCanvas=*/true);
        QVERIFY(QTest::qWaitFor([&] { return results.count() + failed.count() > 0; }, 120000));
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
        const PreviewResult r = results.at(0).at(0).value<PreviewResult>();
        QCOMPARE(r.id, id);
        QCOMPARE(r.image.size(), size);
        QCOMPARE(r.heatmap.size(), size);
    }

    void compareSplitGeometry() {
        // The image drawn at 2x from (10, 20): 200 x 100 pixels on screen for a 100 x 50 image.
        const QRectF image(10, 20, 200, 100);
        const QRectF widget(0, 0, 300, 200);
        CompareSplit s = compareSplit(image, 0.25, widget, 100);
        QCOMPARE(s.dividerX, 60.0);
        QCOMPARE(s.before, QRectF(10, 20, 50, 100));
        QCOMPARE(s.after, QRectF(60, 20, 150, 100));
        QCOMPARE(s.beforeSource, QRectF(0, 0, 25, 50));  // the canvas's left quarter
        QCOMPARE(s.afterSource, QRectF(25, 0, 75, 50));  // the photo's other three
        QCOMPARE(s.handle.center(), QPointF(60, 70));
        // Out of range clamps: all canvas, all photo.
        s = compareSplit(image, 1.7, widget, 100);
        QCOMPARE(s.dividerX, 210.0);
        QVERIFY(s.after.width() == 0 && s.afterSource.width() == 0);
        s = compareSplit(image, -1, widget, 100);
        QCOMPARE(s.dividerX, 10.0);
        QVERIFY(s.before.width() == 0);
        // Zoomed in past the widget: the grip stays in the visible part of the divider.
        s = compareSplit(QRectF(-100, -400, 800, 1200), 0.5, widget, 100);
        QCOMPARE(s.handle.center().y(), 100.0);
        // Dragging: widget x to fraction, clamped to the image.
        QCOMPARE(compareFractionAt(image, 110), 0.5);
        QCOMPARE(compareFractionAt(image, -50), 0.0);
        QCOMPARE(compareFractionAt(image, 900), 1.0);
        s = compareSplit(image, 0.5, widget, 100);
        QVERIFY(grabsDivider(s, image, 113, 50));
        QVERIFY(!grabsDivider(s, image, 130, 50));
        QVERIFY(!grabsDivider(s, image, 110, 5));  // above the image
    }

    void compareViewDragsItsDivider() {
        PreviewView view;
        view.resize(400, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QImage photo(100, 100, QImage::Format_RGB888);
        photo.fill(Qt::red);
        QImage canvas(100, 100, QImage::Format_RGB888);
        canvas.fill(Qt::blue);
        view.setResult(photo);
        view.setCompareSource(canvas);
        QVERIFY(!view.compareEnabled());
        QSignalSpy moved(&view, &PreviewView::compareFractionChanged);
        const QRectF image = view.mapFromImage(QRectF(0, 0, 100, 100));
        // Off: the left button does nothing to the split.
        QTest::mousePress(&view, Qt::LeftButton, {}, image.center().toPoint() + QPoint(30, 0));
        QTest::mouseRelease(&view, Qt::LeftButton, {}, image.center().toPoint() + QPoint(30, 0));
        QCOMPARE(moved.count(), 0);
        view.setCompareEnabled(true);
        QVERIFY(view.compareEnabled());
        QCOMPARE(view.compareFraction(), 0.5);
        // The rendered view: canvas left of the divider, photo right of it.
        QImage shot = view.grab().toImage();
        QCOMPARE(QColor(shot.pixel(QPoint(int(image.left()) + 5, int(image.bottom()) - 5))), QColor(Qt::blue));
        QCOMPARE(QColor(shot.pixel(QPoint(int(image.right()) - 5, int(image.bottom()) - 5))), QColor(Qt::red));
        // Press at a quarter and drag to three quarters.
        const int y = int(image.center().y());
        QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(int(image.left() + image.width() / 4), y));
        QVERIFY(std::abs(view.compareFraction() - 0.25) < 0.02);
        QTest::mouseMove(&view, QPoint(int(image.left() + image.width() * 3 / 4), y));
        QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(int(image.left() + image.width() * 3 / 4), y));
        QVERIFY(std::abs(view.compareFraction() - 0.75) < 0.02);
        QVERIFY(moved.count() >= 2);
        shot = view.grab().toImage();
        QCOMPARE(QColor(shot.pixel(QPoint(int(image.left() + image.width() * 0.6), int(image.bottom()) - 5))),
                 QColor(Qt::blue));
        view.setCompareEnabled(false);
        shot = view.grab().toImage();
        QCOMPARE(QColor(shot.pixel(QPoint(int(image.left()) + 5, int(image.bottom()) - 5))), QColor(Qt::red));
    }

    void frameRateIsMeasuredNotDerivedFromLatency() {
        // Issue 17 defect 8: the status bar said 1000 / latency. The meter counts frames actually shown.
        FrameRateMeter meter(2000);
        QVERIFY(!meter.rate(0));
        meter.frameShown(1000);
        QVERIFY(!meter.rate(1000));  // one frame has no rate
        for (int i = 1; i <= 10; ++i) meter.frameShown(1000 + i * 100);  // 10 fps for a second
        QVERIFY(meter.rate(2000));
        QCOMPARE(*meter.rate(2000), 10.0);
        // Fast frames (say 20 ms latency each) shown every 250 ms are 4 fps, not 50.
        FrameRateMeter slow(2000);
        for (int i = 0; i < 8; ++i) slow.frameShown(i * 250);
        QCOMPARE(*slow.rate(1750), 4.0);
        // Only the recent window counts: an old burst does not inflate a slow present.
        FrameRateMeter mixed(2000);
        for (int i = 0; i < 30; ++i) mixed.frameShown(i * 10);  // 100 fps, long ago
        mixed.frameShown(10000);
        mixed.frameShown(11000);
        QCOMPARE(*mixed.rate(11000), 1.0);
        // A still canvas: after the window, no rate at all.
        QVERIFY(!mixed.rate(14000));
        mixed.reset();
        QVERIFY(!mixed.rate(11000));
    }

    void destroyingDuringAnInferenceIsClean() {
        auto* controller = new PreviewController(testEngine());
        QSignalSpy loaded(controller, &PreviewController::modelLoaded);
        controller->loadModel(QString::fromStdString(tinyPath_));
        for (int i = 0; i < 5; ++i) controller->request(canvas(i));
        QElapsedTimer t;
        t.start();
        delete controller;  // quits the thread and waits for it (at most the inference in flight)
        QVERIFY(t.elapsed() < 60000);
    }
};

QTEST_MAIN(TestPreview)
#include "test_ui_preview.moc"
