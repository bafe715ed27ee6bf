// pix2pix-studio: paint facade labels or edge sketches with a live translated preview.

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>
#include <QTimer>

#include "core/common/runtime.h"
#include "ui/main_window.h"

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
    parser.addOption(modelOption);
    parser.addOption(threadsOption);
    parser.addOption(deviceOption);
    parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("A label map or sketch to open."),
                                 QStringLiteral("[file]"));
    parser.process(app);

    p2p::ui::MainWindowOptions options;
    options.engine.threads = parser.value(threadsOption).toInt();
    options.engine.device = parser.value(deviceOption).toStdString();
    const QString model = parser.value(modelOption);
    options.loadStartupModel = model.isEmpty();
    // The GUI thread's own torch calls (none expected) and the default for worker threads.
    p2p::configureThreads(options.engine.threads);

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
