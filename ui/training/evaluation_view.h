#pragma once

// The training panel's "Evaluation" tab: what an evaluation of the run's model on its test split is doing
// (model, data, split, progress, Cancel) and what it found: the pairs, L1 / PSNR / SSIM as `pix2pix eval`
// prints them, any notes, and the grid of input | output | target rows.

#include <QImage>
#include <QString>
#include <QWidget>

#include "core/eval/evaluator.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QScrollArea;

namespace p2p::ui {

class EvaluationView : public QWidget {
    Q_OBJECT

public:
    explicit EvaluationView(QWidget* parent = nullptr);

    void showStarting(const QString& runDir);
    void showStarted(const p2p::EvalReport& header);
    void showProgress(int done, int planned);
    void showReport(const p2p::EvalReport& report);
    void showFailed(const QString& error);
    void showCancelled();

    // The lines `pix2pix eval` prints for a report: pairs, L1, PSNR, SSIM, time.
    static QString scoresText(const p2p::EvalReport& report);
    QString scores() const;  // what the view shows now; empty before a report
    QString status() const;
    const QImage& grid() const { return grid_; }

Q_SIGNALS:
    void cancelRequested();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;  // the grid follows the view's width

private:
    void setBusy(bool busy);
    void showGrid();

    QLabel* statusLabel_ = nullptr;
    QProgressBar* progressBar_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QLabel* scoresLabel_ = nullptr;
    QLabel* notesLabel_ = nullptr;
    QLabel* gridLabel_ = nullptr;
    QScrollArea* gridScroll_ = nullptr;
    QImage grid_;
};

}  // namespace p2p::ui
