#include "ui/dialogs/model_info_dialog.h"

#include <QDialogButtonBox>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "ui/model_controller.h"

namespace p2p::ui {

namespace {

const QString kMetadataPrefix = QStringLiteral("metadata: ");

QString row(const QString& field, const QString& value) {
    return QStringLiteral(
               "<tr><td style='color:gray; padding-right:14px; white-space:nowrap'>%1</td>"
               "<td>%2</td></tr>")
        .arg(field.toHtmlEscaped(), value.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
}

}  // namespace

QString ModelInfoDialog::html(const ModelInformation& info) {
    QString model, metadata;
    for (const auto& [field, value] : info.fields) {
        if (field.startsWith(kMetadataPrefix))
            metadata += row(field.mid(kMetadataPrefix.size()), value);
        else
            model += row(field, value);
    }
    QString html = QStringLiteral("<h3 style='margin-bottom:2px'>%1</h3><p style='margin-top:0'>%2</p>")
                       .arg(info.name.toHtmlEscaped(), info.description.toHtmlEscaped());
    html += QStringLiteral("<table cellspacing='0' cellpadding='2'>%1</table>").arg(model);
    if (!metadata.isEmpty())
        html += QStringLiteral(
                    "<h4 style='margin-bottom:2px'>%1</h4><table cellspacing='0' cellpadding='2'>%2"
                    "</table>")
                    .arg(tr("Metadata"), metadata);
    return html;
}

ModelInfoDialog::ModelInfoDialog(const ModelInformation& info, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Model — %1").arg(info.name));
    browser_ = new QTextBrowser(this);
    browser_->setOpenLinks(false);
    browser_->setLineWrapMode(QTextEdit::WidgetWidth);
    browser_->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    browser_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    browser_->setHtml(html(info));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(browser_, 1);
    layout->addWidget(buttons);
    resize(640, 560);
}

}  // namespace p2p::ui
