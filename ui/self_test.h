#pragma once

// `pix2pix-studio --self-test`: proves an install works end to end without a person at the screen. It lets the
// window find and load its facades model exactly as a first start does, opens a stored label map, waits for one
// preview and checks that the preview is a picture (not blank). CI runs it on a pristine root and on the
// installed .deb; users can run it too.

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

namespace p2p::ui {

class MainWindow;

struct SelfTestOptions {
    QString labelMap;        // the label map to translate (a file; the studio's stored example by default)
    int timeoutMs = 120000;  // model scan + load + one preview, on a slow CPU
    double minContrast = 4.0;  // grey-level standard deviation (0-255) below which a preview counts as blank
};

class StudioSelfTest : public QObject {
    Q_OBJECT
public:
    StudioSelfTest(MainWindow* window, SelfTestOptions options, QObject* parent = nullptr);

    void start();
    bool passed() const { return passed_; }
    QString report() const { return report_; }

    // Grey-level standard deviation of an image (0-255): a blank or single-colour preview is near 0.
    static double contrast(const QImage& image);

Q_SIGNALS:
    void finished(bool passed, const QString& report);

private:
    void onModelReady(const QString& name);
    void onPreviewShown(quint64 requestId);
    void finish(bool passed, const QString& report);

    MainWindow* window_;
    SelfTestOptions options_;
    QTimer timeout_;
    QElapsedTimer clock_;
    QString modelName_;
    quint64 firstRequestForMap_ = 0;  // previews before this are of the blank start canvas
    bool mapOpened_ = false;
    bool done_ = false;
    bool passed_ = false;
    QString report_;
};

}  // namespace p2p::ui
