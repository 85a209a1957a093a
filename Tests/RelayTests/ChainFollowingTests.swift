import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

/// Following stolen money from account to account: children, joins, cycles, exits, limits.
@Suite("Chain following")
struct ChainFollowingTests {
    let t0 = Fixture.t0
    let root = Fixture.uuid(1)

    func child(of parent: UUID, _ reference: String) -> UUID {
        DeterministicIDs.childRequestID(parent: parent, transferReference: reference)
    }

    /// Police request on alpha account 1 for 1,000,000 KZT, routed at t0.
    func world(_ engine: RelayEngine = Fixture.engine()) -> RelayWorld {
        let world = RelayWorld(engine)
        world.receive(Fixture.request())
        return world
    }

    func edgeOutcomes(_ effects: Effects) -> [String] { effects.edges.map(\.outcome.name) }

    @Test("a split: one answer, two transfers to two banks, two children one hop further")
    func split() throws {
        let world = world()
        let answeredAt = t0.plus(minutes: 12)
        let toBeta = Fixture.toAccount(
            Fixture.betaAccount(1), Fixture.kzt("600000"), ref: "TRX-A-1", at: t0.plus(minutes: -40))
        let toDelta = Fixture.toAccount(
            Fixture.deltaAccount(1), Fixture.kzt("400000"), ref: "TRX-A-2", at: t0.plus(minutes: -35),
            holder: "Second Mule")
        let effects = world.answer(Fixture.response(.fundsMoved, transfers: [toBeta, toDelta], at: answeredAt))
        #expect(effects.outcome == .answered(.fundsMoved))

        let betaChild = child(of: root, "TRX-A-1")
        let deltaChild = child(of: root, "TRX-A-2")
        #expect(effects.requests.map(\.requestID) == [root, betaChild, deltaChild])
        #expect(world.record(root)?.state == .fundsMoved)
        for (id, transfer, bank) in [(betaChild, toBeta, Fixture.beta), (deltaChild, toDelta, Fixture.delta)] {
            let record = try #require(world.record(id))
            #expect(record.state == .routed && record.bankID == bank)
            #expect(record.hop == 1 && record.parentRequestID == root)
            #expect(record.request.chain == ChainPosition(parentRequestID: root, hop: 1))
            #expect(record.caseID == Fixture.caseID)
            #expect(record.request.amount == transfer.amount)
            #expect(
                record.request.fraudTransaction.occurredAt == transfer.occurredAt,
                "the traced transaction is the transfer")
            #expect(record.request.fraudTransaction.reference == transfer.reference)
            #expect(record.request.priority == .urgent && record.request.issuer == Fixture.issuer)
            #expect(record.request.legalBasis == Fixture.request().legalBasis)
            #expect(record.request.requestedHoldHours == 720)
            guard case .iban(let destination) = transfer.destination else { continue }
            #expect(record.request.account == TargetAccount(iban: destination.iban, holderName: destination.holderName))
            #expect(record.receivedAt == answeredAt && record.routedAt == answeredAt)
            #expect(record.acknowledgeBy == answeredAt.plus(minutes: bank == Fixture.beta ? 10 : 5))
            #expect(record.fingerprint == ContentFingerprint(record.request))
            #expect(world.openTimers(of: id).map(\.kind) == [.acknowledge, .freeze])

            let routed = try #require(effects.routedRequests.first { $0.requestID == id })
            #expect(routed.bankID == bank && routed.chain == record.request.chain && routed.amount == transfer.amount)
            let status = try #require(effects.statuses.first { $0.requestID == id })
            #expect(status.status == .routed && status.chain == record.request.chain)
            #expect(
                effects.audit.contains {
                    $0.requestID == id && $0.detail.contains(transfer.reference) && $0.detail.contains("hop 1")
                })
        }
        let parentStatus = try #require(effects.statuses.first { $0.requestID == root })
        #expect(parentStatus.status == .fundsMoved)
        #expect(
            parentStatus.children == [
                ChildRequest(
                    requestID: betaChild, bankID: Fixture.beta, iban: Fixture.betaAccount(1),
                    amount: Fixture.kzt("600000")),
                ChildRequest(
                    requestID: deltaChild, bankID: Fixture.delta, iban: Fixture.deltaAccount(1),
                    amount: Fixture.kzt("400000")),
            ])
        #expect(parentStatus.exits.isEmpty)
        #expect(parentStatus.detail.contains("2 follow-up request(s)"))
        #expect(
            parentStatus.caseTotals
                == CaseTotals(
                    stolen: Fixture.kzt("1000000"), frozen: Fixture.kzt("0"), moving: Fixture.kzt("1000000"),
                    exited: Fixture.kzt("0")))
        #expect(effects.edges.map(\.outcome) == [.child(betaChild), .child(deltaChild)])
        #expect(
            effects.edges.allSatisfy {
                $0.fromRequestID == root && $0.reportedBy == Fixture.alpha && $0.recordedAt == answeredAt
            })
        #expect(effects.escalations.isEmpty)
    }

    @Test("a five-hop chain, built by feeding each child's answer back in")
    func fiveHops() throws {
        let world = world()
        // alpha → beta → gamma (own topics) → delta → epsilon → alpha again (another account), where it is frozen.
        let accounts = [
            Fixture.betaAccount(2), Fixture.gammaAccount(3), Fixture.deltaAccount(4), Fixture.epsilonAccount(5),
            Fixture.alphaAccount(6),
        ]
        let banks = [Fixture.beta, Fixture.gamma, Fixture.delta, Fixture.epsilon, Fixture.alpha]
        var parent = root
        var time = t0
        for (hop, account) in accounts.enumerated() {
            time = time.plus(minutes: 7)
            let reference = "HOP-\(hop + 1)"
            let effects = world.answer(
                Fixture.response(
                    .fundsMoved, for: parent,
                    transfers: [
                        Fixture.toAccount(account, Fixture.kzt("1000000"), ref: reference, at: time.plus(minutes: -1))
                    ], at: time))
            #expect(effects.outcome == .answered(.fundsMoved))
            let id = child(of: parent, reference)
            let record = try #require(world.record(id), "hop \(hop + 1)")
            #expect(record.hop == hop + 1 && record.parentRequestID == parent && record.bankID == banks[hop])
            #expect(record.iban == account && record.state == .routed)
            let routedEvent = effects.events.first {
                if case .routedRequest(let r) = $0.event { r.requestID == id } else { false }
            }
            #expect(routedEvent?.topic == world.policy.requestsTopic(of: banks[hop]))
            parent = id
        }
        // The last bank freezes everything.
        let frozen = world.answer(
            Fixture.response(.frozen, for: parent, frozen: Fixture.kzt("1000000"), at: time.plus(minutes: 3)))
        #expect(frozen.outcome == .answered(.frozen))
        #expect(world.caseContext(Fixture.caseID).requests.count == 6)
        #expect(world.edges.count == 5)
        #expect(world.caseContext(Fixture.caseID).requests.map(\.hop).sorted() == [0, 1, 2, 3, 4, 5])
        let totals = try #require(frozen.statuses.first?.caseTotals)
        #expect(
            totals
                == CaseTotals(
                    stolen: Fixture.kzt("1000000"), frozen: Fixture.kzt("1000000"), moving: Fixture.kzt("0"),
                    exited: Fixture.kzt("0")))
        #expect(frozen.statuses.first?.chain?.hop == 5)
    }

    @Test("a join: two accounts send to the same account, one request, two edges")
    func join() throws {
        let world = world()
        world.answer(
            Fixture.response(
                .fundsMoved,
                transfers: [
                    Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("600000"), ref: "S-1"),
                    Fixture.toAccount(Fixture.deltaAccount(1), Fixture.kzt("400000"), ref: "S-2"),
                ], at: t0.plus(minutes: 10)))
        let b = child(of: root, "S-1")
        let d = child(of: root, "S-2")
        let collector = Fixture.epsilonAccount(9)
        let first = world.answer(
            Fixture.response(
                .fundsMoved, for: b, transfers: [Fixture.toAccount(collector, Fixture.kzt("600000"), ref: "J-1")],
                at: t0.plus(minutes: 20)))
        let e = child(of: b, "J-1")
        #expect(first.edges.map(\.outcome) == [.child(e)])
        let second = world.answer(
            Fixture.response(
                .fundsMoved, for: d, transfers: [Fixture.toAccount(collector, Fixture.kzt("400000"), ref: "J-2")],
                at: t0.plus(minutes: 21)))
        #expect(second.edges.map(\.outcome) == [.join(e)])
        #expect(second.requests.map(\.requestID) == [d], "no second request for the collecting account")
        #expect(second.routedRequests.isEmpty)
        #expect(second.statuses.first?.children.isEmpty == true)
        #expect(world.caseContext(Fixture.caseID).requests.filter { $0.iban == collector }.count == 1)
        #expect(
            world.edges.filter {
                if case .iban(let dest) = $0.transfer.destination { dest.iban == collector } else { false }
            }.count == 2)
        #expect(world.record(child(of: d, "J-2")) == nil)
    }

    @Test("a cycle back to an earlier account is a join to its request")
    func cycle() throws {
        let world = world()
        world.answer(
            Fixture.response(
                .fundsMoved, transfers: [Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("1000000"), ref: "C-1")],
                at: t0.plus(minutes: 10)))
        let b = child(of: root, "C-1")
        let back = world.answer(
            Fixture.response(
                .fundsMoved, for: b,
                transfers: [Fixture.toAccount(Fixture.alphaAccount(1), Fixture.kzt("900000"), ref: "C-2")],
                at: t0.plus(minutes: 20)))
        #expect(back.edges.map(\.outcome) == [.join(root)])
        #expect(back.requests.map(\.requestID) == [b])
        #expect(world.caseContext(Fixture.caseID).requests.count == 2)
    }

    @Test("exits of every kind: crypto wallet, cash, card, non-participating bank, disabled bank")
    func exits() throws {
        let world = world()
        let wallet = Fixture.toWallet(
            Fixture.kzt("300000"), ref: "X-CRYPTO", network: "TRON", address: "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE",
            exchange: "Binance")
        let cash = Fixture.toCash(Fixture.kzt("200000"), ref: "X-CASH")
        let card = Fixture.toCard(Fixture.kzt("100000"), ref: "X-CARD")
        let foreign = Fixture.toAccount(Fixture.unknownAccount(3), Fixture.kzt("250000"), ref: "X-FOREIGN")
        let disabled = Fixture.toAccount(Fixture.offlineAccount(3), Fixture.kzt("150000"), ref: "X-OFFLINE")
        let transfers = [wallet, cash, card, foreign, disabled]
        let effects = world.answer(Fixture.response(.fundsMoved, transfers: transfers, at: t0.plus(minutes: 10)))

        let reasons: [ExitReason] = [.cryptoWallet, .cashWithdrawal, .card, .nonParticipatingBank, .disabledBank]
        #expect(effects.edges.map(\.outcome) == reasons.map { .exit($0) })
        #expect(effects.requests.map(\.requestID) == [root], "no child for money that left")
        #expect(effects.routedRequests.isEmpty)
        let exits = transfers.map { ChainExit(reportedBy: Fixture.alpha, transfer: $0) }

        let parentStatus = try #require(effects.statuses(.fundsMoved).first)
        #expect(parentStatus.exits == exits)
        let exitStatus = try #require(effects.statuses(.chainExit).first)
        #expect(effects.statuses(.chainExit).count == 1)
        #expect(exitStatus.exits == exits)
        #expect(exitStatus.requestID == root)
        #expect(exitStatus.detail.contains("TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"))

        let escalations = effects.escalationEvents
        #expect(escalations.count == 5)
        #expect(
            escalations.allSatisfy {
                $0.kind == .chainExit && $0.bankID == Fixture.alpha && $0.requestID == root
                    && $0.caseID == Fixture.caseID
            })
        #expect(escalations.map(\.exit) == exits)
        #expect(Set(escalations.map(\.escalationID)).count == 5)
        let crypto = try #require(escalations.first)
        guard case .cryptoWallet(let destination)? = crypto.exit?.transfer.destination else {
            Issue.record("the crypto exit should carry the wallet")
            return
        }
        #expect(
            destination
                == CryptoWalletDestination(
                    network: "TRON", address: "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE", exchange: "Binance"))
        #expect(crypto.detail.contains("TRON") && crypto.detail.contains("Binance"))
        #expect(escalations[3].detail.contains("non_participating_bank"))
        #expect(escalations[4].detail.contains("disabled_bank"))
        #expect(effects.escalations.map(\.kind) == Array(repeating: .chainExit, count: 5))

        let totals = try #require(exitStatus.caseTotals)
        #expect(totals.exited == Fixture.kzt("1000000"))
        #expect(totals.moving == Fixture.kzt("0"))
        #expect(parentStatus.caseTotals == totals)
    }

    @Test("the depth limit: a parent at the maximum hop gets no child")
    func depthLimit() throws {
        let world = world(Fixture.engine(chain: ChainLimits(maxHops: 2)))
        world.answer(
            Fixture.response(
                .fundsMoved, transfers: [Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("1000000"), ref: "D-1")],
                at: t0.plus(minutes: 5)))
        let hop1 = child(of: root, "D-1")
        world.answer(
            Fixture.response(
                .fundsMoved, for: hop1,
                transfers: [Fixture.toAccount(Fixture.deltaAccount(1), Fixture.kzt("1000000"), ref: "D-2")],
                at: t0.plus(minutes: 10)))
        let hop2 = child(of: hop1, "D-2")
        #expect(world.record(hop2)?.hop == 2)
        let effects = world.answer(
            Fixture.response(
                .fundsMoved, for: hop2,
                transfers: [Fixture.toAccount(Fixture.epsilonAccount(1), Fixture.kzt("1000000"), ref: "D-3")],
                at: t0.plus(minutes: 15)))
        #expect(effects.edges.map(\.outcome) == [.limit(.maxHops)])
        #expect(world.record(child(of: hop2, "D-3")) == nil)
        #expect(effects.routedRequests.isEmpty)
        let status = try #require(effects.statuses(.chainLimitReached).first)
        #expect(status.requestID == hop2)
        #expect(status.detail.contains("D-3") && status.detail.contains("hop limit 2"))
        let escalation = try #require(effects.escalationEvents.first)
        #expect(escalation.kind == .chainLimit && escalation.requestID == hop2 && escalation.bankID == Fixture.delta)
        #expect(effects.escalations.map(\.kind) == [.chainLimit])
        #expect(status.caseTotals?.moving == Fixture.kzt("1000000"), "money not followed is still moving")
    }

    @Test("the per-answer limit: only the first N transfers get children")
    func perAnswerLimit() throws {
        let world = world(Fixture.engine(chain: ChainLimits(maxChildrenPerAnswer: 2)))
        let effects = world.answer(
            Fixture.response(
                .fundsMoved,
                transfers: [
                    Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("100000"), ref: "P-1"),
                    Fixture.toCard(Fixture.kzt("100000"), ref: "P-2"),
                    Fixture.toAccount(Fixture.deltaAccount(1), Fixture.kzt("100000"), ref: "P-3"),
                    Fixture.toAccount(Fixture.epsilonAccount(1), Fixture.kzt("100000"), ref: "P-4"),
                ], at: t0.plus(minutes: 5)))
        #expect(effects.edges.map(\.outcome.name) == ["child", "exit:card", "child", "limit:max_children_per_answer"])
        #expect(effects.requests.count == 3)
        #expect(
            effects.statuses.map(\.status).sorted { $0.rawValue < $1.rawValue } == [
                .chainExit, .chainLimitReached, .fundsMoved, .routed, .routed,
            ])
        #expect(effects.statuses(.chainLimitReached).first?.detail.contains("P-4") == true)
    }

    @Test("the minimum amount: smaller transfers are not followed; equal ones are; other currencies are")
    func minimumAmount() throws {
        let world = world(Fixture.engine(chain: ChainLimits(minimumAmount: Fixture.kzt("50000"))))
        let effects = world.answer(
            Fixture.response(
                .fundsMoved,
                transfers: [
                    Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("49999.99"), ref: "M-1"),
                    Fixture.toAccount(Fixture.betaAccount(2), Fixture.kzt("50000"), ref: "M-2"),
                    Fixture.toAccount(Fixture.betaAccount(3), try Money(value: "10", currency: "USD"), ref: "M-3"),
                ], at: t0.plus(minutes: 5)))
        #expect(effects.edges.map(\.outcome.name) == ["limit:minimum_amount", "child", "child"])
        #expect(effects.statuses(.chainLimitReached).first?.detail.contains("minimum amount 50000") == true)
    }

    @Test("a repeated answer creates no duplicate child; a later answer follows only new transfers")
    func repeatedAnswerNoDuplicateChild() throws {
        let world = world()
        let transfers = [
            Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("600000"), ref: "R-1"),
            Fixture.toWallet(Fixture.kzt("400000"), ref: "R-2"),
        ]
        let first = world.answer(
            Fixture.response(.fundsMoved, id: "fm-1", transfers: transfers, at: t0.plus(minutes: 5)))
        #expect(first.edges.count == 2)

        // The very same message: a duplicate.
        #expect(
            world.answer(Fixture.response(.fundsMoved, id: "fm-1", transfers: transfers, at: t0.plus(minutes: 5)))
                .isEmpty)

        // The same content under a new response id: every transfer is already in the case, so it
        // repeats what the bank said — a no-op, like any repeated identical answer.
        let again = world.answer(
            Fixture.response(.fundsMoved, id: "fm-2", transfers: transfers, at: t0.plus(minutes: 9)))
        #expect(again.outcome == .repeated)
        #expect(again.edges.isEmpty && again.requests.isEmpty && again.events.isEmpty && again.audit.isEmpty)
        #expect(again.schedule.isEmpty && again.cancelDeadlines.isEmpty && again.escalations.isEmpty)
        #expect(again.responses.map(\.responseID) == ["fm-2"])
        #expect(world.caseContext(Fixture.caseID).requests.count == 2)

        // The same references with a corrected amount are not a repetition: reported, but not followed twice.
        var corrected = transfers
        corrected[0].amount = Fixture.kzt("650000")
        let correction = world.answer(
            Fixture.response(.fundsMoved, id: "fm-2b", transfers: corrected, at: t0.plus(minutes: 10)))
        #expect(correction.outcome == .answered(.fundsMoved))
        #expect(correction.edges.isEmpty && correction.routedRequests.isEmpty)
        #expect(world.caseContext(Fixture.caseID).requests.count == 2)

        // A later answer with one more transfer: only that one is followed.
        let more = world.answer(
            Fixture.response(
                .fundsMoved, id: "fm-3",
                transfers: transfers + [Fixture.toAccount(Fixture.deltaAccount(1), Fixture.kzt("1000"), ref: "R-3")],
                at: t0.plus(minutes: 19)))
        #expect(more.edges.map(\.outcome) == [.child(child(of: root, "R-3"))])
        #expect(world.caseContext(Fixture.caseID).requests.count == 3)
    }

    @Test("a partially_frozen answer repeated with the same transfers is a no-op")
    func repeatedPartialWithTransfers() throws {
        let world = world()
        let response = Fixture.response(
            .partiallyFrozen, id: "pf-1", frozen: Fixture.kzt("400000"), holdUntil: t0.plus(hours: 720),
            transfers: [Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("600000"), ref: "PF-1")],
            at: t0.plus(minutes: 5))
        world.answer(response)
        var resent = response
        resent.responseID = "pf-2"
        resent.id = Fixture.uuid(321)
        let again = world.answer(resent, at: t0.plus(minutes: 15))
        #expect(again.outcome == .repeated)
        #expect(again.events.isEmpty && again.requests.isEmpty)
        // A new amount is news, though the transfers are known.
        var more = response
        more.responseID = "pf-3"
        more.frozenAmount = Fixture.kzt("450000")
        #expect(world.answer(more, at: t0.plus(minutes: 25)).outcome == .answered(.partiallyFrozen))
    }

    @Test("child ids are a function of parent and transfer reference, whatever the cause")
    func deterministicChildIDs() throws {
        let engine = Fixture.engine()
        let record = Fixture.record(.routed)
        let response = Fixture.response(
            .fundsMoved, transfers: [Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("1000000"), ref: "ID-1")],
            at: t0.plus(minutes: 5))
        func decide(_ offset: Int64, _ time: Timestamp) -> Effects {
            let effects = engine.answer(
                response, fingerprint: ContentFingerprint(response), from: Fixture.alpha,
                context: .init(record: record), previous: nil,
                case: CaseContext(caseID: Fixture.caseID, requests: [record]),
                cause: .record(topic: "freeze.bank.alpha.responses", partition: 0, offset: offset, eventID: nil),
                now: time)
            checkContracts(effects, policy: engine.policy)
            return effects
        }
        let a = decide(1, t0.plus(minutes: 5))
        let b = decide(2, t0.plus(minutes: 6))
        let expected = DeterministicIDs.childRequestID(parent: root, transferReference: "ID-1")
        #expect(a.requests.last?.requestID == expected)
        #expect(b.requests.last?.requestID == expected)
        #expect(a.routedRequests.first?.id != b.routedRequests.first?.id, "event ids follow the cause")
        #expect(DeterministicIDs.childRequestID(parent: root, transferReference: "ID-2") != expected)
        #expect(DeterministicIDs.childRequestID(parent: Fixture.uuid(2), transferReference: "ID-1") != expected)
    }

    @Test("a transfer to an account whose bank is known only by BIC is followed to that bank")
    func routedByBIC() throws {
        let world = world()
        // KZ998 is nobody's bank code, but the transfer names Epsilon's BIC.
        let account = Fixture.iban("998", 42)
        let effects = world.answer(
            Fixture.response(
                .fundsMoved,
                transfers: [Fixture.toAccount(account, Fixture.kzt("1000000"), ref: "BIC-1", bic: "EPSNKZKAXXX")],
                at: t0.plus(minutes: 5)))
        let id = child(of: root, "BIC-1")
        #expect(effects.edges.map(\.outcome) == [.child(id)])
        let record = try #require(world.record(id))
        #expect(record.state == .routed)
        #expect(record.bankID == Fixture.epsilon)
        #expect(effects.routedRequests.first?.bankID == Fixture.epsilon)
        #expect(effects.statuses(.fundsMoved).first?.children.first?.bankID == Fixture.epsilon)
        #expect(effects.escalations.isEmpty, "no unroutable escalation for a request that was routed")
        #expect(effects.statuses(.unroutable).isEmpty)
    }

    @Test("a partially_frozen answer's transfers are followed too")
    func partialWithTransfers() throws {
        let world = world()
        let effects = world.answer(
            Fixture.response(
                .partiallyFrozen, frozen: Fixture.kzt("400000"), holdUntil: t0.plus(hours: 720),
                transfers: [Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("600000"), ref: "PF-1")],
                at: t0.plus(minutes: 5)))
        #expect(effects.outcome == .answered(.partiallyFrozen))
        #expect(effects.edges.map(\.outcome) == [.child(child(of: root, "PF-1"))])
        let status = try #require(effects.statuses(.partiallyFrozen).first)
        #expect(status.frozenAmount == Fixture.kzt("400000"))
        #expect(status.children.count == 1)
    }

    @Test("many transfers in one answer: every event still fits the contracts")
    func manyTransfers() throws {
        // 40 card withdrawals and 40 transfers past the hop limit: long lists of exits and limits.
        let world = world(Fixture.engine(chain: ChainLimits(maxHops: 0)))
        var transfers: [OnwardTransfer] = []
        for n in 0..<40 { transfers.append(Fixture.toCard(Fixture.kzt("1000"), ref: "CARD-WITHDRAWAL-\(n)")) }
        for n in 0..<40 {
            transfers.append(
                Fixture.toAccount(Fixture.betaAccount(n), Fixture.kzt("1000"), ref: "ACCOUNT-TRANSFER-\(n)"))
        }
        let effects = world.answer(Fixture.response(.fundsMoved, transfers: transfers, at: t0.plus(minutes: 5)))
        #expect(effects.edges.count == 80)
        #expect(effects.escalationEvents.filter { $0.kind == .chainExit }.count == 40)
        #expect(effects.statuses(.chainExit).first?.exits.count == 40)
        #expect(effects.statuses(.chainLimitReached).count == 1)
        // Long details are cut to the contract's limit, saying so; the lists themselves stay whole.
        let limit = try #require(effects.statuses(.chainLimitReached).first)
        #expect(limit.detail.unicodeScalars.count <= ContractLimits.detail)
        #expect(limit.detail.contains("ACCOUNT-TRANSFER-0 "))
        #expect(limit.detail.hasSuffix("more characters]"))
        let exits = try #require(effects.statuses(.chainExit).first)
        #expect(exits.detail.unicodeScalars.count <= ContractLimits.detail)
        #expect(
            effects.escalations.first { $0.kind == .chainLimit }?.detail.contains("ACCOUNT-TRANSFER-39 ") == true,
            "the stored escalation keeps the whole text")
    }

    @Test("a configured hop limit beyond the contract's 64 hops still yields valid child requests")
    func hopLimitBeyondContract() throws {
        let engine = Fixture.engine(chain: ChainLimits(maxHops: 100))
        let parentRequest = Fixture.request(Fixture.uuid(64))
        var chained = parentRequest
        chained.chain = ChainPosition(parentRequestID: Fixture.uuid(63), hop: ContractLimits.maxHop)
        let parent = Fixture.record(.routed, request: chained)
        let response = Fixture.response(
            .fundsMoved, for: Fixture.uuid(64),
            transfers: [Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("1000"), ref: "DEEP")],
            at: t0.plus(minutes: 5))
        let effects = engine.answer(
            response, fingerprint: ContentFingerprint(response), from: Fixture.alpha, context: .init(record: parent),
            previous: nil,
            case: CaseContext(caseID: Fixture.caseID, requests: [parent]), cause: .command("t", nonce: "1"),
            now: t0.plus(minutes: 5))
        checkContracts(effects, policy: engine.policy)
        for record in effects.requests {
            #expect(throws: Never.self) { _ = try EventEncoder.encode(record.request) }
        }
        #expect(effects.edges.map(\.outcome) == [.limit(.maxHops)])
        #expect(effects.statuses(.chainLimitReached).first?.detail.contains("hop limit 64") == true)
    }
}
