import EmbeddedKafka
import Foundation
import RelayKafka
import Synchronization
import Testing

/// Rebalance events as a consumer saw them, with what it still owned when each revoke hook ran.
final class RebalanceRecorder: Sendable {
    struct Entry: Sendable {
        var event: RebalanceEvent
        /// The consumer's assignment at the moment the handler ran.
        var ownedDuringHandler: [TopicPartition]
    }
    private let entries = Mutex<[Entry]>([])
    private let current = Mutex<Set<TopicPartition>>([])

    var handler: RebalanceHandler {
        { [self] event, consumer in
            let owned = (try? consumer.assignment()) ?? []
            entries.withLock { $0.append(Entry(event: event, ownedDuringHandler: owned)) }
            switch event {
            case .assigned(let partitions): current.withLock { $0.formUnion(partitions) }
            case .revoked(let partitions, _):
                finishPending(for: partitions, on: consumer)
                current.withLock { $0.subtract(partitions) }
            }
        }
    }

    private let pending = Mutex<[KafkaMessage]>([])
    private let revokeCommits = Mutex<(count: Int, errors: [KafkaError])>((0, []))

    /// Records processed but not yet stored; the revoke hook stores and commits them.
    func hold(_ messages: [KafkaMessage]) { pending.withLock { $0 += messages } }
    var pendingCount: Int { pending.withLock { $0.count } }
    var commitsInRevokeHook: Int { revokeCommits.withLock { $0.count } }
    var commitErrors: [KafkaError] { revokeCommits.withLock { $0.errors } }

    private func finishPending(for partitions: [TopicPartition], on consumer: KafkaConsumer) {
        let mine = pending.withLock { held in
            let (taken, kept) = (
                held.filter { partitions.contains($0.topicPartition) },
                held.filter { !partitions.contains($0.topicPartition) }
            )
            held = kept
            return taken
        }
        do {
            try consumer.store(mine)
            try consumer.commit()
            revokeCommits.withLock { $0.count += 1 }
        } catch {
            revokeCommits.withLock { $0.errors.append(error) }
        }
    }

    var log: [Entry] { entries.withLock { $0 } }
    var owned: Set<TopicPartition> { current.withLock { $0 } }
}

@Suite("Consumer groups, offsets and subscriptions")
struct ConsumerGroupTests {
    @Test("two members split the partitions; when one leaves, its revoke hook commits before the other takes over")
    func groupSplitsAndRebalances() async throws {
        let cluster = try MockCluster(brokers: 1, logger: testLogger)
        try cluster.createTopic("work", partitions: 4)
        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster.bootstrapServers), logger: testLogger)
        defer { producer.close(timeout: .seconds(5)) }
        let group = uniqueName("group")
        let all = Set((0..<4).map { TopicPartition(topic: "work", partition: $0) })

        let recorderA = RebalanceRecorder()
        let recorderB = RebalanceRecorder()
        let a = try KafkaConsumer(
            configuration: fastGroupConfiguration(cluster.bootstrapServers), groupID: group, logger: testLogger,
            rebalanceHandler: recorderA.handler)
        let b = try KafkaConsumer(
            configuration: fastGroupConfiguration(cluster.bootstrapServers), groupID: group, logger: testLogger,
            rebalanceHandler: recorderB.handler)
        defer { try? a.close() }
        try a.subscribe(["work"])
        try await pollUntil(a, b: nil) { recorderA.owned == all }

        try b.subscribe(["work"])
        try await pollUntil(a, b: b) { recorderA.owned.count == 2 && recorderB.owned.count == 2 }
        #expect(recorderA.owned.isDisjoint(with: recorderB.owned))
        #expect(recorderA.owned.union(recorderB.owned) == all)
        // Every revoke A saw (when B joined) ran while A still owned those partitions.
        let revokesOfA = recorderA.log.filter { if case .revoked = $0.event { true } else { false } }
        #expect(!revokesOfA.isEmpty)
        for entry in revokesOfA {
            if case .revoked(let partitions, let lost) = entry.event {
                #expect(!lost)
                #expect(Set(partitions).isSubset(of: Set(entry.ownedDuringHandler)))
            }
        }

        // Ten records per partition; each member processes what it owns. B keeps its work
        // pending and only stores/commits it from its revoke hook.
        for partition in 0..<4 {
            for index in 0..<10 {
                _ = try await producer.send(
                    OutgoingMessage(
                        topic: "work", partition: Int32(partition), key: nil,
                        value: bytes("first-\(partition)-\(index)")))
            }
        }
        var seenByA: [KafkaMessage] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while seenByA.count + recorderB.pendingCount < 40 {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: "first round of records") }
            async let fromA = a.nextBatch(maxMessages: 100, timeout: .milliseconds(100))
            recorderB.hold(try await b.nextBatch(maxMessages: 100, timeout: .milliseconds(100)))
            let batch = try await fromA
            try a.store(batch)
            seenByA += batch
        }
        #expect(recorderB.pendingCount == 20 && seenByA.count == 20)
        let ownedByB = recorderB.owned
        // A commits after each durable batch, as the relay does; B's hook is the only thing that
        // commits B's work.
        try a.commit()

        try b.close()
        #expect(recorderB.log.last?.event == .revoked(ownedByB.sorted(), lost: false))
        #expect(recorderB.commitsInRevokeHook == 1)
        #expect(recorderB.commitErrors.isEmpty)

        let committedAfterB = try a.committed(ownedByB.sorted(), timeout: .seconds(5))
        #expect(committedAfterB == Dictionary(uniqueKeysWithValues: ownedByB.map { ($0, Int64?(10)) }))
        try await pollUntil(a, b: nil) { recorderA.owned == all }
        // A now owns B's partitions and must start exactly where B's hook committed: it sees
        // only the second round, never B's first-round records again.
        for partition in 0..<4 {
            _ = try await producer.send(
                OutgoingMessage(
                    topic: "work", partition: Int32(partition), key: nil, value: bytes("second-\(partition)")))
        }
        let after = try await collect(from: a) { $0.count >= 4 }
        #expect(Set(after.compactMap { text($0.value) }) == Set((0..<4).map { "second-\($0)" }))
        #expect(Set(try a.assignment()) == all)
    }

    @Test("a consumer restarted in the same group resumes exactly after the last committed offset")
    func resumesAfterCommittedOffset() async throws {
        let cluster = try MockCluster(brokers: 1, logger: testLogger)
        try cluster.createTopic("ledgered", partitions: 1)
        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster.bootstrapServers), logger: testLogger)
        defer { producer.close(timeout: .seconds(5)) }
        for index in 0..<10 {
            _ = try await producer.send(OutgoingMessage(topic: "ledgered", key: nil, value: bytes("\(index)")))
        }
        let group = uniqueName("resume")

        let first = try KafkaConsumer(
            configuration: fastGroupConfiguration(cluster.bootstrapServers), groupID: group, logger: testLogger)
        try first.subscribe(["ledgered"])
        let seen = try await collect(from: first) { $0.count >= 10 }
        #expect(seen.map(\.offset) == Array(0..<10))
        // Only the first six were "durably processed".
        try first.store(seen.prefix(6))
        try first.commit()
        let tp = TopicPartition(topic: "ledgered", partition: 0)
        #expect(try first.committed([tp], timeout: .seconds(5))[tp] == 6)
        try first.close()

        let second = try KafkaConsumer(
            configuration: fastGroupConfiguration(cluster.bootstrapServers), groupID: group, logger: testLogger)
        defer { try? second.close() }
        try second.subscribe(["ledgered"])
        let resumed = try await collect(from: second) { $0.count >= 4 }
        #expect(resumed.map(\.offset) == [6, 7, 8, 9])
        #expect(resumed.map { text($0.value) } == ["6", "7", "8", "9"])
    }

    @Test("nothing is committed for records the caller never stored")
    func unstoredRecordsAreNotCommitted() async throws {
        let cluster = try MockCluster(brokers: 1, logger: testLogger)
        try cluster.createTopic("t", partitions: 1)
        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster.bootstrapServers), logger: testLogger)
        defer { producer.close(timeout: .seconds(5)) }
        for index in 0..<3 {
            _ = try await producer.send(OutgoingMessage(topic: "t", key: nil, value: bytes("\(index)")))
        }
        let group = uniqueName("nostore")
        let first = try KafkaConsumer(
            configuration: fastGroupConfiguration(cluster.bootstrapServers), groupID: group, logger: testLogger)
        try first.subscribe(["t"])
        _ = try await collect(from: first) { $0.count >= 3 }
        try first.commit()
        try first.close()

        let second = try KafkaConsumer(
            configuration: fastGroupConfiguration(cluster.bootstrapServers), groupID: group, logger: testLogger)
        defer { try? second.close() }
        try second.subscribe(["t"])
        #expect(try await collect(from: second) { $0.count >= 3 }.map(\.offset) == [0, 1, 2])
    }

    @Test("a regex subscription picks up a matching topic created after subscribing")
    func regexPicksUpNewTopics() async throws {
        let cluster = try MockCluster(brokers: 1, logger: testLogger)
        try cluster.createTopic("freeze.bank.alpha.responses", partitions: 1)
        try cluster.createTopic("freeze.bank.alpha.requests", partitions: 1)
        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster.bootstrapServers), logger: testLogger)
        defer { producer.close(timeout: .seconds(5)) }
        let consumer = try KafkaConsumer(
            configuration: fastGroupConfiguration(cluster.bootstrapServers), groupID: uniqueName("regex"),
            logger: testLogger)
        defer { try? consumer.close() }
        try consumer.subscribe(["^freeze\\.bank\\..*\\.responses$"])

        _ = try await producer.send(
            OutgoingMessage(topic: "freeze.bank.alpha.responses", key: nil, value: bytes("from alpha")))
        _ = try await producer.send(
            OutgoingMessage(topic: "freeze.bank.alpha.requests", key: nil, value: bytes("not for us")))
        let early = try await collect(from: consumer) { $0.count >= 1 }
        #expect(early.map(\.topic) == ["freeze.bank.alpha.responses"])

        // A bank added later: its topic appears after the subscription was made.
        try cluster.createTopic("freeze.bank.beta.responses", partitions: 2)
        _ = try await producer.send(
            OutgoingMessage(topic: "freeze.bank.beta.responses", key: bytes("r1"), value: bytes("from beta")))
        let later = try await collect(from: consumer) { $0.contains { $0.topic == "freeze.bank.beta.responses" } }
        #expect(later.contains { text($0.value) == "from beta" })
        #expect(!later.contains { $0.topic == "freeze.bank.alpha.requests" })
    }

    @Test("lag per partition is readable, and pause/resume stop and restart fetching")
    func lagAndPause() async throws {
        let cluster = try MockCluster(brokers: 1, logger: testLogger)
        try cluster.createTopic("lagging", partitions: 2)
        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster.bootstrapServers), logger: testLogger)
        defer { producer.close(timeout: .seconds(5)) }
        let p0 = TopicPartition(topic: "lagging", partition: 0)
        let p1 = TopicPartition(topic: "lagging", partition: 1)
        for index in 0..<5 {
            _ = try await producer.send(
                OutgoingMessage(topic: "lagging", partition: 0, key: nil, value: bytes("a\(index)")))
        }

        let consumer = try KafkaConsumer(
            configuration: fastGroupConfiguration(cluster.bootstrapServers), groupID: uniqueName("lag"),
            logger: testLogger)
        defer { try? consumer.close() }
        try consumer.subscribe(["lagging"])
        let first = try await collect(from: consumer) { $0.count >= 5 }
        #expect(first.count == 5)
        let lag = try consumer.lag().first { $0.topicPartition == p0 }
        #expect(lag?.position == 5 && lag?.highWatermark == 5 && lag?.lag == 0)

        try consumer.pause([p1])
        for index in 0..<3 {
            _ = try await producer.send(
                OutgoingMessage(topic: "lagging", partition: 1, key: nil, value: bytes("b\(index)")))
        }
        _ = try await producer.send(OutgoingMessage(topic: "lagging", partition: 0, key: nil, value: bytes("a5")))
        // Partition 0 still flows while 1 is paused.
        let whilePaused = try await collect(from: consumer) { $0.contains { $0.partition == 0 } }
        #expect(whilePaused.allSatisfy { $0.partition == 0 })
        try consumer.resume([p1])
        let afterResume = try await collect(from: consumer) { $0.filter { $0.partition == 1 }.count >= 3 }
        #expect(afterResume.filter { $0.partition == 1 }.map { text($0.value) } == ["b0", "b1", "b2"])
    }
}

/// Polls one or two consumers (each on its own queue, concurrently) until `condition` holds.
func pollUntil(
    _ a: KafkaConsumer, b: KafkaConsumer?, timeout: Duration = .seconds(60), _ condition: @Sendable () -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(what: "rebalance") }
        async let first = a.nextBatch(maxMessages: 100, timeout: .milliseconds(100))
        if let b { _ = try await b.nextBatch(maxMessages: 100, timeout: .milliseconds(100)) }
        _ = try await first
    }
}

@Suite("Start offsets chosen by the application")
struct StartOffsetTests {
    @Test("a start-offset provider overrides the committed offset, in both directions")
    func providerOverridesCommitted() async throws {
        let cluster = try MockCluster(brokers: 1, logger: testLogger)
        try cluster.createTopic("positions", partitions: 1)
        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster.bootstrapServers), logger: testLogger)
        defer { producer.close(timeout: .seconds(5)) }
        for index in 0..<10 {
            _ = try await producer.send(OutgoingMessage(topic: "positions", key: nil, value: bytes("\(index)")))
        }
        let group = uniqueName("positions")
        let tp = TopicPartition(topic: "positions", partition: 0)

        // The group has committed offset 8.
        let first = try KafkaConsumer(
            configuration: fastGroupConfiguration(cluster.bootstrapServers), groupID: group, logger: testLogger)
        try first.subscribe(["positions"])
        let all = try await collect(from: first) { $0.count >= 10 }
        try first.store(all.prefix(8))
        try first.commit()
        try first.close()

        // The application's own record says 3 (it was restored from an older backup): start there.
        let behind = try KafkaConsumer(
            configuration: fastGroupConfiguration(cluster.bootstrapServers), groupID: group, logger: testLogger,
            startOffsets: { partitions, _ in partitions.contains(tp) ? [tp: 3] : [:] })
        try behind.subscribe(["positions"])
        #expect(try await collect(from: behind) { $0.count >= 7 }.map(\.offset) == Array(3..<10))
        try behind.close()

        // Without an opinion from the application, the committed offset applies.
        let plain = try KafkaConsumer(
            configuration: fastGroupConfiguration(cluster.bootstrapServers), groupID: group, logger: testLogger,
            startOffsets: { _, _ in [:] })
        defer { try? plain.close() }
        try plain.subscribe(["positions"])
        #expect(try await collect(from: plain) { $0.count >= 2 }.map(\.offset) == [8, 9])
    }
}
