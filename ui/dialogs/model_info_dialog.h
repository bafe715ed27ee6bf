#pragma once

// Model ▸ Model Information (issue 17 defect 6: the old message box cut the metadata line off): every field
// in a two-column table whose values wrap, anywhere if they must (paths, JSON), so nothing is hidden at any
// width. The text can be selected and copied.

#include <QDialog>

class QTextBrowser;

namespace p2p::ui {

struct ModelInformation;

class ModelInfoDialog : public QDialog {
    Q_OBJECT
public:
    explicit ModelInfoDialog(const ModelInformation& information, QWidget* parent = nullptr);

    QTextBrowser* browser() const { return browser_; }
    // The table as HTML: the header fields, then the metadata under its own heading.
    static QString html(const ModelInformation& information);

private:
    QTextBrowser* browser_;
};

}  // namespace p2p::ui
