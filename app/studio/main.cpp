// pix2pix-studio: paint facade labels or edge sketches with a live translated preview.

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QIcon>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

#include "core/common/device.h"
#include "core/common/error.h"
#include "core/common/runtime.h"
#include "ui/main_window.h"
#include "ui/self_test.h"

namespace {

// --self-test: a first start (no saved settings), the facades model, one preview of a label map; exit 0 when the
// preview is a picture. Prints one line saying what ran, or what failed and where the models were looked for.
int runSelfTest(QApplication& app, p2p::ui::MainWindowOptions options, const QString& model, QString labelMap) {
    QTemporaryDir scratch;
    if (!scratch.isValid()) {
        std::fprintf(stderr, "self-test: FAILED: cannot create a temporary folder\n");
        return 1;
    }
    if (labelMap.isEmpty()) {  // the stored example, copied out of the resources so the real Open path reads it
        labelMap = scratch.filePath(QStringLiteral("facade-labels.png"));
        QFile::copy(QStringLiteral(":/examples/facade-labels.png"), labelMap);
    }
    options.interactive = false;
    options.settingsFile = scratch.filePath(QStringLiteral("self-test.ini"));
    p2p::ui::MainWindow window(options);
    window.show();
    p2p::ui::SelfTestOptions testOptions;
    testOptions.labelMap = labelMap;
    p2p::ui::StudioSelfTest test(&window, testOptions);
    QObject::connect(&test, &p2p::ui::StudioSelfTest::finished, &app, [&app](bool passed, const QString& report) {
        std::fprintf(passed ? stdout : stderr, "self-test: %s: %s\n", passed ? "passed" : "FAILED",
                     report.toLocal8Bit().constData());
        app.exit(passed ? 0 : 1);
    });
    if (!model.isEmpty()) window.loadModel(QFileInfo(model).absoluteFilePath());
    test.start();
    return app.exec();
}

}  // namespace

int main(int argc, char* argv[]) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Pix2PixStudio"));
    QApplication::setApplicationName(QStringLiteral("pix2pix-studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("Pix2Pix Studio"));
    QApplication::setApplicationVersion(QString::fromStdString(p2p::version()));
    QApplication::setDesktopFileName(QStringLiteral("pix2pix-studio"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/pix2pix-studio.png")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Paint facade labels or edge sketches with a live pix2pix preview."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption modelOption(
        {QStringLiteral("m"), QStringLiteral("model")},
        QStringLiteral("Load this model (.p2pm or reference .pth) at start."), QStringLiteral("file"));
    const QCommandLineOption threadsOption(
        QStringLiteral("threads"), QStringLiteral("Intra-op threads for inference (0 = one per core)."),
        QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption deviceOption(QStringLiteral("device"),
                                          QStringLiteral("auto, cpu, cuda or cuda:N."),
                                          QStringLiteral("device"), QStringLiteral("auto"));
    const QCommandLineOption selfTestOption(
        QStringLiteral("self-test"),
        QStringLiteral("Start as on first launch, load the facades model, translate a label map (the stored example, "
                       "or [file]) and exit 0 when the preview is a picture, 1 otherwise. Works headless with "
                       "QT_QPA_PLATFORM=offscreen."));
    parser.addOption(modelOption);
    parser.addOption(threadsOption);
    parser.addOption(deviceOption);
    parser.addOption(selfTestOption);
    parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("A label map or sketch to open."),
                                 QStringLiteral("[file]"));
    parser.process(app);

    p2p::ui::MainWindowOptions options;
    options.engine.threads = parser.value(threadsOption).toInt();
    try {
        options.engine.device = p2p::Device::parse(parser.value(deviceOption).toStdString());
    } catch (const p2p::Error& e) {
        std::fprintf(stderr, "pix2pix-studio: --device: %s\n", e.what());
        return 2;
    }
    const QString model = parser.value(modelOption);
    options.loadStartupModel = model.isEmpty();
    // The GUI thread's own torch calls (none expected) and the default for worker threads.
    p2p::configureThreads(options.engine.threads);

    if (parser.isSet(selfTestOption)) {
        const QStringList files = parser.positionalArguments();
        return runSelfTest(app, options, model,
                           files.isEmpty() ? QString() : QFileInfo(files.first()).absoluteFilePath());
    }

    p2p::ui::MainWindow window(options);
    window.show();
    if (!model.isEmpty()) window.loadModel(QFileInfo(model).absoluteFilePath());
    const QStringList files = parser.positionalArguments();
    if (!files.isEmpty()) {
        const QString file = QFileInfo(files.first()).absoluteFilePath();
        QTimer::singleShot(0, &window, [&window, file] { window.openFile(file); });
    }
    return app.exec();
}
