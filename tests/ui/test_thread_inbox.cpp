// ThreadInbox: functions posted from any thread run on the inbox's thread, in order; undelivered ones are
// destroyed with the inbox; connectThroughInbox delivers copies of a signal's arguments. Under TSan
// (tools/sanitize-tsan.sh) the same cases show that the hand-offs carry happens-before.

#include <QtTest/QtTest>

#include <QThread>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "ui/thread_inbox.h"

using namespace p2p::ui;

namespace {

class Emitter : public QObject {
    Q_OBJECT
Q_SIGNALS:
    void valueReady(const std::vector<int>& values, const QString& name);
};

}  // namespace

class TestThreadInbox : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void runsOnItsThreadInPostingOrder_data() {
        QTest::addColumn<int>("posters");
        QTest::newRow("from the GUI thread") << 0;
        QTest::newRow("from two other threads") << 2;
    }
    void runsOnItsThreadInPostingOrder() {
        QFETCH(int, posters);
        QThread thread;
        QObject worker;
        auto* inbox = new ThreadInbox(&worker);
        worker.moveToThread(&thread);
        connect(
            &thread, &QThread::finished, &thread, [&thread] { markReleased(&thread); }, Qt::DirectConnection);
        thread.start();

        constexpr int kPerPoster = 200;
        std::vector<std::vector<int>> seen(std::max(posters, 1));  // written on `thread` only
        std::atomic<bool> wrongThread{false};
        auto post = [&](int poster) {
            for (int i = 0; i < kPerPoster; ++i) {
                std::vector<int> payload(16, i);  // a heap value crossing threads
                inbox->post([&, poster, payload] {
                    if (QThread::currentThread() != &thread) wrongThread = true;
                    seen[poster].push_back(payload.back());
                });
            }
        };
        if (posters == 0) {
            post(0);
        } else {
            std::vector<std::thread> threads;
            for (int p = 0; p < posters; ++p) threads.emplace_back(post, p);
            for (auto& t : threads) t.join();
        }
        inbox->post([&thread] { thread.quit(); });
        QVERIFY(thread.wait(60'000));
        markAcquired(&thread);

        QVERIFY(!wrongThread);
        for (const auto& s : seen) {
            QCOMPARE(int(s.size()), kPerPoster);
            for (int i = 0; i < kPerPoster; ++i) QCOMPARE(s[i], i);  // each poster's order is kept
        }
    }

    void undeliveredFunctionsAreDestroyed() {
        auto token = std::make_shared<int>(0);
        bool ran = false;
        {
            ThreadInbox inbox;  // on this thread, whose event loop does not run in between
            inbox.post([token, &ran] { ran = true; });
            QCOMPARE(token.use_count(), 2L);
        }
        QCOMPARE(token.use_count(), 1L);
        QVERIFY(!ran);
    }

    void signalArgumentsArriveAsCopies() {
        QThread thread;
        Emitter emitter;
        auto* emitterInbox = new ThreadInbox(&emitter);  // moves with it
        emitter.moveToThread(&thread);
        ThreadInbox inbox;  // the GUI thread's
        std::vector<std::vector<int>> received;
        QStringList names;
        connectThroughInbox(&emitter, &Emitter::valueReady, &inbox,
                            [&](const std::vector<int>& values, const QString& name) {
                                QCOMPARE(QThread::currentThread(), QCoreApplication::instance()->thread());
                                received.push_back(values);
                                names << name;
                            });
        connect(
            &thread, &QThread::finished, &thread, [&thread] { markReleased(&thread); }, Qt::DirectConnection);
        thread.start();
        // Through an inbox too: a plain QMetaObject::invokeMethod lambda is what TSan reports here.
        emitterInbox->post([&emitter] {
            std::vector<int> values{1, 2, 3};
            Q_EMIT emitter.valueReady(values, QStringLiteral("first"));
            values.assign(5, 9);  // the sender reuses its buffer: the receiver keeps its copy
            Q_EMIT emitter.valueReady(values, QStringLiteral("second"));
        });
        QTRY_COMPARE(received.size(), size_t(2));
        QCOMPARE(received[0], (std::vector<int>{1, 2, 3}));
        QCOMPARE(received[1], std::vector<int>(5, 9));
        QCOMPARE(names, (QStringList{"first", "second"}));
        thread.quit();
        QVERIFY(thread.wait(60'000));
        markAcquired(&thread);
    }
};

QTEST_MAIN(TestThreadInbox)
#include "test_thread_inbox.moc"
