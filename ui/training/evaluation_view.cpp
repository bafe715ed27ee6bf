#include "ui/training/evaluation_view.h"

#include <QDir>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "ui/image_convert.h"

namespace p2p::ui {

EvaluationView::EvaluationView(QWidget* parent) : QWidget(parent) {
    statusLabel_ =
        new QLabel(tr("Evaluate on test split scores the run's newest model on the test pairs of "
                      "the folder it trained on, as pix2pix eval does."));
    statusLabel_->setObjectName("evaluationStatus");
    statusLabel_->setWordWrap(true);
    statusLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    progressBar_ = new QProgressBar;
    progressBar_->setFormat(tr("%v / %m pairs"));
    progressBar_->hide();
    cancelButton_ = new QPushButton(tr("Cancel"));
    cancelButton_->hide();
    connect(cancelButton_, &QPushButton::clicked, this, &EvaluationView::cancelRequested);
    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(progressBar_, 1);
    progressRow->addWidget(cancelButton_);

    scoresLabel_ = new QLabel;
    scoresLabel_->setObjectName("evaluationScores");
    scoresLabel_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    scoresLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    scoresLabel_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    notesLabel_ = new QLabel;
    notesLabel_->setWordWrap(true);
    notesLabel_->setStyleSheet("color: palette(dark);");
    notesLabel_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    auto* left = new QVBoxLayout;
    left->addWidget(scoresLabel_);
    left->addWidget(notesLabel_);
    left->addStretch(1);

    // The grid at its own size (each row one pair): scrolling beats shrinking the pairs out of sight.
    gridLabel_ = new QLabel;
    gridLabel_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    auto* gridScroll = new QScrollArea;
    gridScroll->setWidget(gridLabel_);
    gridScroll->setWidgetResizable(true);
    gridScroll->setFrameShape(QFrame::NoFrame);
    auto* results = new QHBoxLayout;
    results->addLayout(left, 0);
    results->addWidget(gridScroll, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(statusLabel_);
    layout->addLayout(progressRow);
    layout->addLayout(results, 1);
}

void EvaluationView::setBusy(bool busy) {
    progressBar_->setVisible(busy);
    cancelButton_->setVisible(busy);
    cancelButton_->setEnabled(busy);
}

void EvaluationView::showStarting(const QString& runDir) {
    statusLabel_->setText(tr("Loading the newest model of %1…").arg(QDir::toNativeSeparators(runDir)));
    scoresLabel_->clear();
    notesLabel_->clear();
    gridLabel_->clear();
    grid_ = {};
    progressBar_->setRange(0, 0);
    setBusy(true);
}

void EvaluationView::showStarted(const p2p::EvalReport& r) {
    const QString split =
        r.split.empty() ? tr("all pairs (no split folders)") : QString::fromStdString(r.split);
    statusLabel_->setText(tr("%1 (%2) on %3: %4, %n pair(s), %5", nullptr, int(r.planned))
                              .arg(QString::fromStdString(r.model_name), QString::fromStdString(r.model_path),
                                   QString::fromStdString(r.data), split,
                                   QString::fromStdString(r.direction)));
    statusLabel_->setToolTip(QString::fromStdString(r.engine + ", norm statistics: " + r.norm_stats));
    progressBar_->setRange(0, std::max(1, int(r.planned)));
    progressBar_->setValue(0);
}

void EvaluationView::showProgress(int done, int planned) {
    progressBar_->setRange(0, std::max(1, planned));
    progressBar_->setValue(done);
}

QString EvaluationView::scoresText(const p2p::EvalReport& r) {
    return QString("pairs: %1\nL1:    %2 (on [-1, 1]; %3 on 0..255)\nPSNR:  %4 dB\nSSIM:  %5\ntime:  %6 s")
        .arg(r.pairs.size())
        .arg(r.l1, 0, 'f', 4)
        .arg(r.l1_255, 0, 'f', 2)
        .arg(r.psnr, 0, 'f', 2)
        .arg(r.ssim, 0, 'f', 4)
        .arg(r.seconds, 0, 'f', 1);
}

void EvaluationView::showReport(const p2p::EvalReport& r) {
    setBusy(false);
    const QString split = r.split.empty() ? tr("all pairs") : QString::fromStdString(r.split);
    statusLabel_->setText(tr("%1 on %2 (%3, %4)")
                              .arg(QString::fromStdString(r.model_name), QString::fromStdString(r.data),
                                   split, QString::fromStdString(r.direction)));
    scoresLabel_->setText(scoresText(r));
    QStringList notes;
    for (const auto& note : r.notes) notes << QString::fromStdString(note);
    if (!r.unreadable.empty())
        notes << tr("%n pair(s) could not be decoded and were skipped.", nullptr, int(r.unreadable.size()));
    notesLabel_->setText(notes.join("\n\n"));
    grid_ = matToQImage(r.grid);
    gridLabel_->setPixmap(QPixmap::fromImage(grid_));
    gridLabel_->setToolTip(tr("input | output | target, the first %n pair(s)", nullptr,
                              grid_.isNull() ? 0 : int(std::min<size_t>(r.pairs.size(), 8))));
}

void EvaluationView::showFailed(const QString& error) {
    setBusy(false);
    statusLabel_->setText(tr("Evaluation failed: %1").arg(error));
}

void EvaluationView::showCancelled() {
    setBusy(false);
    statusLabel_->setText(tr("Evaluation cancelled."));
}

QString EvaluationView::scores() const {
    return scoresLabel_->text();
}

QString EvaluationView::status() const {
    return statusLabel_->text();
}

}  // namespace p2p::ui
