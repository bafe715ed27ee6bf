#include "ui/training/evaluation_view.h"

#include <QDir>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QVBoxLayout>

#include <algorithm>

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

    // The grid as wide as the view allows, never enlarged; its rows (one pair each) scroll rather than shrink
    // out of sight.
    gridLabel_ = new QLabel;
    gridLabel_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    gridScroll_ = new QScrollArea;
    gridScroll_->setWidget(gridLabel_);
    gridScroll_->setWidgetResizable(true);
    gridScroll_->setFrameShape(QFrame::NoFrame);
    gridScroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    gridScroll_->installEventFilter(this);
    auto* results = new QHBoxLayout;
    results->addLayout(left, 0);
    results->addWidget(gridScroll_, 1);

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
    QStringList lines;
    for (const std::string& line : r.scoreLines()) lines << QString::fromStdString(line);
    return lines.join('\n');
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
    if (r.label_consistency) notes << QString::fromStdString(r.label_consistency->protocol);
    if (!r.unreadable.empty())
        notes << tr("%n pair(s) could not be decoded and were skipped.", nullptr, int(r.unreadable.size()));
    notesLabel_->setText(notes.join("\n\n"));
    grid_ = matToQImage(r.grid);
    showGrid();
    gridLabel_->setToolTip(
        tr("input | output | target, the first %n pair(s)", nullptr,
           grid_.isNull() ? 0 : int(std::min<size_t>(r.pairs.size(), size_t(p2p::EvalOptions{}.grid_rows)))));
}

void EvaluationView::showFailed(const QString& error) {
    setBusy(false);
    statusLabel_->setText(tr("Evaluation failed: %1").arg(error));
}

void EvaluationView::showCancelled() {
    setBusy(false);
    statusLabel_->setText(tr("Evaluation cancelled."));
}

void EvaluationView::showGrid() {
    if (grid_.isNull()) {
        gridLabel_->clear();
        return;
    }
    // Room for the vertical scroll bar whether or not it shows: a width that depends on it could flip
    // forever.
    const int room = gridScroll_->width() - gridScroll_->verticalScrollBar()->sizeHint().width();
    const int width = std::min(grid_.width(), std::max(1, room));
    gridLabel_->setPixmap(QPixmap::fromImage(
        width == grid_.width() ? grid_ : grid_.scaledToWidth(width, Qt::SmoothTransformation)));
}

bool EvaluationView::eventFilter(QObject* watched, QEvent* event) {
    if (watched == gridScroll_ && event->type() == QEvent::Resize) showGrid();
    return QWidget::eventFilter(watched, event);
}

QString EvaluationView::scores() const {
    return scoresLabel_->text();
}

QString EvaluationView::status() const {
    return statusLabel_->text();
}

}  // namespace p2p::ui
