#include "ui/training/dataset_group.h"

#include <QCheckBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTextLayout>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>
#include <exception>
#include <optional>

#include "ui/training/image_pane.h"
#include "ui/training/training_text.h"

namespace p2p::ui {

namespace {

// Draws a column's text whole, wrapped onto as many lines as its width needs (long paths break anywhere),
// so that a skip reason is never cut off with "…". The row grows to fit.
class WrappingDelegate : public QStyledItemDelegate {
public:
    explicit WrappingDelegate(QTreeWidget* tree) : QStyledItemDelegate(tree), tree_(tree) {}

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        const int width = std::max(40, tree_->columnWidth(index.column()) - 2 * kMargin);
        const QString text = index.data(Qt::DisplayRole).toString();
        return {width, textHeight(text, option.font, width) + 2 * kMargin};
    }

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override {
        QStyleOptionViewItem background = option;
        initStyleOption(&background, index);
        background.text.clear();
        tree_->style()->drawControl(QStyle::CE_ItemViewItem, &background, painter, tree_);
        QTextOption wrap;
        wrap.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        painter->save();
        painter->setPen(option.palette.color(option.state & QStyle::State_Selected ? QPalette::HighlightedText
                                                                                   : QPalette::Text));
        painter->drawText(QRectF(option.rect.adjusted(kMargin, kMargin, -kMargin, -kMargin)),
                          index.data(Qt::DisplayRole).toString(), wrap);
        painter->restore();
    }

private:
    static constexpr int kMargin = 2;

    static int textHeight(const QString& text, const QFont& font, int width) {
        QTextLayout layout(text, font);
        QTextOption wrap;
        wrap.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        layout.setTextOption(wrap);
        qreal height = 0;
        layout.beginLayout();
        for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
            line.setLineWidth(width);
            height += line.height();
        }
        layout.endLayout();
        return int(std::ceil(height));
    }

    QTreeWidget* tree_;
};

// The split training would use, or why there is none (a folder with only test/, say): trainSplit() throws
// then.
std::optional<std::string> trainSplitOf(const p2p::DatasetScan& scan, QString* problem = nullptr) {
    try {
        return scan.trainSplit();
    } catch (const std::exception& e) {
        if (problem) *problem = QString::fromStdString(e.what());
        return std::nullopt;
    }
}

}  // namespace

DatasetGroup::DatasetGroup(QWidget* parent) : QGroupBox(tr("Paired folder"), parent) {
    scanner_ = new DatasetScanner(this);
    connect(scanner_, &DatasetScanner::progress, this, &DatasetGroup::onScanProgress);
    connect(scanner_, &DatasetScanner::finished, this, &DatasetGroup::onScanFinished);

    folderEdit_ = new QLineEdit;
    folderEdit_->setPlaceholderText(tr("A folder of A|B images, or A/ and B/"));
    folderEdit_->setToolTip(
        tr("Aligned: each image holds A and B side by side (the pix2pix datasets). Two folders: A/ and B/ "
           "with matching file names. Either may have train/, test/ and val/ subfolders."));
    connect(folderEdit_, &QLineEdit::returnPressed, this, [this] { setFolder(folderEdit_->text()); });
    auto* choose = new QPushButton(tr("Choose…"));
    connect(choose, &QPushButton::clicked, this, &DatasetGroup::chooseFolder);
    auto* row = new QHBoxLayout;
    row->addWidget(folderEdit_, 1);
    row->addWidget(choose);
    directionRow_ = new QHBoxLayout;
    directionRow_->addWidget(new QLabel(tr("Direction")));
    directionRow_->addStretch(1);
    directionNote_ = new QLabel;
    directionNote_->setObjectName("directionNote");
    directionNote_->setWordWrap(true);
    directionNote_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    directionNote_->hide();

    scanProgress_ = new QProgressBar;
    scanProgress_->setFormat(tr("Scanning %v / %m"));
    scanProgress_->hide();
    scanSummary_ = new QLabel(tr("No folder chosen."));
    scanSummary_->setObjectName("scanSummary");
    scanSummary_->setWordWrap(true);
    scanSummary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    skippedTitle_ = new QLabel;
    skippedTitle_->hide();
    skippedList_ = new QTreeWidget;
    skippedList_->setObjectName("skippedList");
    skippedList_->setColumnCount(2);
    skippedList_->setHeaderLabels({tr("Skipped file"), tr("Reason")});
    skippedList_->setRootIsDecorated(false);
    skippedList_->setMaximumHeight(180);
    // Reasons are whole sentences: they wrap onto more lines instead of ending in "…".
    skippedList_->setWordWrap(true);
    skippedList_->setUniformRowHeights(false);
    skippedList_->setItemDelegate(new WrappingDelegate(skippedList_));
    skippedList_->header()->setStretchLastSection(true);
    skippedList_->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    skippedList_->setColumnWidth(0, 140);
    // Row heights depend on the column widths: lay the rows out again when those change.
    connect(skippedList_->header(), &QHeaderView::sectionResized, skippedList_,
            [this] { skippedList_->doItemsLayout(); });
    skippedList_->hide();
    pairResizeBox_ = new QCheckBox(tr("Resize B to A when only the size differs"));
    pairResizeBox_->setObjectName("pairResize");
    pairResizeBox_->setToolTip(tr(
        "A/ and B/ folders: a pair whose B has another size but the same aspect ratio (within 1%), such as a "
        "half-size label map beside its photo, is used with B resized to A. Pairs whose aspect ratios "
        "differ are always skipped: nothing is stretched."));
    connect(pairResizeBox_, &QCheckBox::toggled, this, [this] {
        if (!folderEdit_->text().isEmpty()) setFolder(folderEdit_->text());
    });

    sampleInput_ = new ImagePane(tr("Input"));
    sampleTarget_ = new ImagePane(tr("Target"));
    for (ImagePane* pane : {sampleInput_, sampleTarget_}) {
        pane->setMinimumSize(100, 110);
        pane->setMaximumHeight(150);  // a preview of one pair, not the space the settings below need
        pane->setPlaceholder(tr("—"));
    }
    sampleCaption_ = new QLabel;
    sampleCaption_->setStyleSheet("color: palette(mid);");
    auto* samples = new QHBoxLayout;
    samples->addWidget(sampleInput_);
    samples->addWidget(sampleTarget_);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addLayout(directionRow_);
    layout->addWidget(directionNote_);
    layout->addWidget(pairResizeBox_);
    layout->addWidget(scanProgress_);
    layout->addWidget(scanSummary_);
    layout->addWidget(skippedTitle_);
    layout->addWidget(skippedList_);
    layout->addLayout(samples);
    layout->addWidget(sampleCaption_);
}

void DatasetGroup::setDirectionControl(QWidget* control) {
    directionRow_->insertWidget(1, control);
}

void DatasetGroup::setDirectionNote(const QString& text) {
    directionNote_->setText(text);
    directionNote_->setVisible(!text.isEmpty());
}

QString DatasetGroup::directionNote() const {
    return directionNote_->text();
}

void DatasetGroup::chooseFolder() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Paired folder"), folderEdit_->text());
    if (!dir.isEmpty()) setFolder(dir);
}

QString DatasetGroup::folder() const {
    return QDir::fromNativeSeparators(folderEdit_->text());
}

bool DatasetGroup::pairResize() const {
    return pairResizeBox_->isChecked();
}

void DatasetGroup::setPairResize(bool on) {
    const QSignalBlocker quiet(pairResizeBox_);
    pairResizeBox_->setChecked(on);
}

void DatasetGroup::setFolder(const QString& folder) {
    folderEdit_->setText(QDir::toNativeSeparators(folder));
    ready_ = false;
    scanning_ = true;
    scanSummary_->setText(tr("Scanning…"));
    skippedTitle_->hide();
    skippedList_->hide();
    skippedList_->clear();
    sampleInput_->setImage({});
    sampleTarget_->setImage({});
    sampleCaption_->clear();
    setDirectionNote({});
    scanProgress_->setRange(0, 0);  // busy until the scan knows its total
    scanProgress_->show();
    Q_EMIT scanStarted(this->folder());
    p2p::ScanOptions scanOptions;
    scanOptions.pair_resize = pairResizeBox_->isChecked();
    scanner_->scan(QDir::fromNativeSeparators(folder), scanOptions);
}

void DatasetGroup::onScanProgress(int done, int total) {
    scanProgress_->setRange(0, std::max(total, 1));
    scanProgress_->setValue(done + 1);
}

void DatasetGroup::onScanFinished(const DatasetScanResult& result) {
    scan_ = result;
    scanning_ = false;
    scanProgress_->hide();
    if (result.error == "cancelled") return;  // cancelled by the user or by a closing panel: nothing to say
    if (!result.error.isEmpty()) {
        ready_ = false;
        scanSummary_->setText(tr("Not a usable paired folder."));
        Q_EMIT scanFinished(false, result.error);
        return;
    }
    const p2p::DatasetScan& s = result.scan;
    showSummary();
    skippedList_->clear();
    for (const auto& skipped : s.skipped) {
        auto* item = new QTreeWidgetItem({QFileInfo(QString::fromStdString(skipped.path)).fileName(),
                                          QString::fromStdString(skipped.reason)});
        item->setToolTip(0, QString::fromStdString(skipped.path));
        item->setToolTip(1, QString::fromStdString(skipped.reason));
        skippedList_->addTopLevelItem(item);
    }
    skippedTitle_->setText(tr("Skipped %n file(s):", nullptr, int(s.skipped.size())));
    skippedTitle_->setVisible(!s.skipped.empty());
    skippedList_->setVisible(!s.skipped.empty());
    QString problem;
    const auto trainSplit = trainSplitOf(s, &problem);
    const auto train = trainSplit ? s.splits.find(*trainSplit) : s.splits.end();
    ready_ = train != s.splits.end() && !train->second.empty();
    if (!ready_ && problem.isEmpty()) problem = tr("%1 has no pairs to train on.").arg(result.folder);
    showSamplePair();
    Q_EMIT scanFinished(ready_, ready_ ? QString() : problem);
}

QString DatasetGroup::summaryHtml(const p2p::DatasetScan& s, const p2p::TransformOptions& transform) {
    QStringList lines;
    lines << (s.layout == p2p::DatasetLayout::Aligned ? tr("<b>Aligned</b>: A|B side by side in each image")
                                                      : tr("<b>Two folders</b>: A/ and B/, paired by name"));
    QStringList splits;
    int trainPairs = 0;
    const auto trainSplit = trainSplitOf(s);
    for (const auto& [name, pairs] : s.splits) {
        splits << QString("%1 <b>%2</b>")
                      .arg(name.empty() ? tr("unsplit") : QString::fromStdString(name))
                      .arg(withSeparators(qint64(pairs.size())));
        if (trainSplit && name == *trainSplit) trainPairs = int(pairs.size());
    }
    lines << tr("Pairs: %1").arg(splits.join(" · "));
    if (!s.image_sizes.empty()) {
        QStringList sizes;
        for (const auto& [size, count] : s.image_sizes)
            sizes << QString("%1 (%2)").arg(QString::fromStdString(size)).arg(count);
        lines << tr("Pair sizes: %1").arg(sizes.join(", "));
    }
    for (const auto& note : s.allNotes()) lines << QString::fromStdString(note).toHtmlEscaped();
    for (const auto& note : p2p::preprocessNotes(s, transform))
        lines << QString::fromStdString(note).toHtmlEscaped();
    for (const auto& warning : s.warnings)
        lines << tr("<b>Warning:</b> %1").arg(QString::fromStdString(warning).toHtmlEscaped());
    if (trainSplit)
        lines << tr("Trains on <b>%1</b> (%2 pairs)")
                     .arg(trainSplit->empty() ? tr("all pairs") : QString::fromStdString(*trainSplit))
                     .arg(trainPairs);
    else
        lines << tr("<b>Nothing to train on</b>: no train/ split and no unsplit pairs");
    return lines.join("<br>");
}

void DatasetGroup::showSummary() {
    if (scan_.folder.isEmpty() || !scan_.error.isEmpty()) return;
    scanSummary_->setText(summaryHtml(scan_.scan, transform_));
}

void DatasetGroup::setTransformOptions(const p2p::TransformOptions& transform) {
    transform_ = transform;
    if (!scanning_) showSummary();  // what preprocessing does to these pairs changed
}

void DatasetGroup::setDirection(const QString& direction) {
    direction_ = direction;
    showSamplePair();
}

void DatasetGroup::showSamplePair() {
    const bool aToB = direction_ != "BtoA";
    sampleInput_->setImage(aToB ? scan_.sampleA : scan_.sampleB);
    sampleTarget_->setImage(aToB ? scan_.sampleB : scan_.sampleA);
    sampleInput_->setTitle(aToB ? tr("Input (A)") : tr("Input (B)"));
    sampleTarget_->setTitle(aToB ? tr("Target (B)") : tr("Target (A)"));
    if (!scan_.sampleName.isEmpty())
        sampleCaption_->setText(
            tr("%1, %2×%3").arg(scan_.sampleName).arg(scan_.sampleA.width()).arg(scan_.sampleA.height()));
}

}  // namespace p2p::ui
