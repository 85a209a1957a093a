import Contracts
import Foundation

/// A child request created by following an onward transfer.
struct CreatedChild {
    var record: RequestRecord
    var summary: ChildRequest
    /// Its routing effects, without the record itself.
    var effects: Effects
}

/// What following one answer's transfers produced.
struct ChainOutcome {
    var children: [CreatedChild] = []
    var exits: [ChainExit] = []
    var edges: [ChainEdge] = []
    var limits: [(ChainEdge, LimitReason)] = []
    /// Statuses and escalations about exits and limits, built once totals are known.
    var deferred: [(CaseTotals?) -> Effects] = []

    func effects(totals: CaseTotals?) -> Effects {
        var effects = Effects()
        for child in children {
            // A child's statuses carry the case after the whole answer, like every other status
            // of this decision (not the case halfway through following the transfers).
            var childEffects = child.effects
            childEffects.events = childEffects.events.map { outgoing in
                guard case .requestStatus(var status) = outgoing.event else { return outgoing }
                status.caseTotals = totals
                var outgoing = outgoing
                outgoing.event = .requestStatus(status)
                return outgoing
            }
            effects.merge(childEffects)
        }
        effects.edges = edges
        for build in deferred { effects.merge(build(totals)) }
        return effects
    }
}

extension RelayEngine {
    /// Turns a bank's onward transfers into the next hop: a child request for each account at a
    /// participating bank, an exit for money that left, a join where the account is already under
    /// a request in the case, and a reported limit where following stops.
    func follow(
        _ transfers: [OnwardTransfer], from parent: RequestRecord, reportedBy bank: BankID,
        case caseContext: CaseContext,
        factory: EventFactory
    ) -> ChainOutcome {
        var outcome = ChainOutcome()
        var current = caseContext
        let limits = policy.chain
        let now = factory.now

        for transfer in transfers {
            let alreadyFollowed = current.edges.contains {
                $0.fromRequestID == parent.requestID && $0.transfer.reference == transfer.reference
            }
            if alreadyFollowed { continue }
            func edge(_ result: EdgeOutcome) -> ChainEdge {
                ChainEdge(
                    caseID: parent.caseID, fromRequestID: parent.requestID, reportedBy: bank, transfer: transfer,
                    outcome: result, recordedAt: now)
            }
            let result: EdgeOutcome
            switch transfer.destination {
            case .cryptoWallet: result = .exit(.cryptoWallet)
            case .cashWithdrawal: result = .exit(.cashWithdrawal)
            case .card: result = .exit(.card)
            case .iban(let destination):
                let childID = DeterministicIDs.childRequestID(
                    parent: parent.requestID, transferReference: transfer.reference)
                let lookup = policy.routing.route(destination)
                switch lookup {
                case .unknown: result = .exit(.nonParticipatingBank)
                case .disabled: result = .exit(.disabledBank)
                case .bank:
                    if let existing = current.request(for: destination.iban)
                        ?? current.requests.first(where: { $0.requestID == childID })
                    {
                        result = .join(existing.requestID)
                    } else if parent.hop + 1 > limits.effectiveMaxHops {
                        result = .limit(.maxHops)
                    } else if let minimum = limits.minimumAmount,
                        minimum.currency == transfer.amount.currency || minimum.currency == ChainLimits.anyCurrency,
                        transfer.amount.decimal < minimum.decimal
                    {
                        result = .limit(.minimumAmount)
                    } else if outcome.children.count >= limits.maxChildrenPerAnswer {
                        result = .limit(.maxChildrenPerAnswer)
                    } else {
                        let child = makeChild(
                            id: childID, parent: parent, transfer: transfer, destination: destination, reportedBy: bank,
                            now: now)
                        let fingerprint = ContentFingerprint(child)
                        // Routed where the destination was found: by IBAN, or by BIC when the IBAN's bank code is not in the table.
                        // Case totals are filled in once the whole answer is followed (ChainOutcome.effects(totals:)).
                        var (record, effects) = route(
                            child, fingerprint: fingerprint, receivedAt: now, factory: factory, lookup: lookup
                        ) { _ in nil }
                        effects.requests = []
                        effects.audit = effects.audit.map { entry in
                            var entry = entry
                            entry.detail =
                                "created from \(bank)'s onward transfer \(transfer.reference) of request \(CanonicalUUID.string(parent.requestID)) (hop \(record.hop)); "
                                + entry.detail
                            return entry
                        }
                        current = current.with(record)
                        outcome.children.append(
                            CreatedChild(
                                record: record,
                                summary: ChildRequest(
                                    requestID: record.requestID, bankID: record.bankID, iban: destination.iban,
                                    amount: transfer.amount),
                                effects: effects))
                        result = .child(record.requestID)
                    }
                }
            }
            let recorded = edge(result)
            outcome.edges.append(recorded)
            current = current.with(edges: [recorded])
            switch result {
            case .exit(let reason):
                let exit = ChainExit(reportedBy: bank, transfer: transfer)
                outcome.exits.append(exit)
                outcome.deferred.append { _ in
                    self.exitEscalation(exit, reason: reason, parent: parent, factory: factory)
                }
            case .limit(let reason):
                outcome.limits.append((recorded, reason))
            case .child, .join:
                break
            }
        }
        if !outcome.exits.isEmpty {
            let exits = outcome.exits
            outcome.deferred.append { totals in
                var effects = Effects()
                let destinations = exits.map { describe($0.transfer) }.joined(separator: "; ")
                effects.events = [
                    factory.status(
                        parent, .chainExit, detail: "money left the participating banks: \(destinations)", exits: exits,
                        totals: totals)
                ]
                return effects
            }
        }
        if !outcome.limits.isEmpty {
            let hits = outcome.limits
            outcome.deferred.append { totals in
                self.limitEffects(hits, parent: parent, factory: factory, totals: totals)
            }
        }
        return outcome
    }

    private func makeChild(
        id: UUID, parent: RequestRecord, transfer: OnwardTransfer, destination: IBANDestination,
        reportedBy bank: BankID, now: Timestamp
    ) -> FreezeRequest {
        let request = parent.request
        return FreezeRequest(
            id: DeterministicIDs.eventID(cause: id, kind: "freeze_request"), createdAt: now, requestID: id,
            caseID: request.caseID, issuedAt: now, priority: request.priority, issuer: request.issuer,
            legalBasis: request.legalBasis,
            account: TargetAccount(iban: destination.iban, holderName: destination.holderName),
            amount: transfer.amount,
            fraudTransaction: FraudTransaction(
                occurredAt: transfer.occurredAt, reference: transfer.reference,
                description:
                    "onward transfer reported by \(bank) under request \(CanonicalUUID.string(parent.requestID))"),
            chain: ChainPosition(parentRequestID: parent.requestID, hop: parent.hop + 1),
            requestedHoldHours: request.requestedHoldHours)
    }

    private func exitEscalation(_ exit: ChainExit, reason: ExitReason, parent: RequestRecord, factory: EventFactory)
        -> Effects
    {
        let escalation = EscalationRecord(
            escalationID: DeterministicIDs.eventID(
                cause: parent.requestID, kind: "escalation:chain_exit:\(exit.transfer.reference)"),
            kind: .chainExit, level: 1, requestID: parent.requestID, caseID: parent.caseID, bankID: exit.reportedBy,
            raisedAt: factory.now, levelRaisedAt: factory.now, deadline: nil,
            detail:
                "chain ends (\(reason.rawValue)): \(describe(exit.transfer)), reported by \(exit.reportedBy) under request \(CanonicalUUID.string(parent.requestID))"
        )
        var effects = Effects()
        effects.escalations = [escalation]
        effects.events = [factory.escalation(escalation, overdueSeconds: nil, exit: exit)]
        effects.audit = [
            factory.audit(
                parent, from: parent.state, to: parent.state,
                "chain exit (\(reason.rawValue)) via transfer \(exit.transfer.reference)")
        ]
        return effects
    }

    private func limitEffects(
        _ hits: [(ChainEdge, LimitReason)], parent: RequestRecord, factory: EventFactory, totals: CaseTotals?
    ) -> Effects {
        let text = hits.map { edge, reason in
            let limit: String
            switch reason {
            case .maxHops: limit = "hop limit \(policy.chain.effectiveMaxHops)"
            case .maxChildrenPerAnswer:
                limit = "at most \(policy.chain.maxChildrenPerAnswer) follow-up requests per answer"
            case .minimumAmount: limit = "minimum amount \(policy.chain.minimumAmount?.description ?? "0")"
            }
            return "transfer \(edge.transfer.reference) (\(edge.transfer.amount)) not followed: \(limit)"
        }.joined(separator: "; ")
        let escalation = EscalationRecord(
            escalationID: factory.cause.derivedID("escalation:chain_limit:\(CanonicalUUID.string(parent.requestID))"),
            kind: .chainLimit, level: 1, requestID: parent.requestID, caseID: parent.caseID, bankID: parent.bankID,
            raisedAt: factory.now, levelRaisedAt: factory.now, deadline: nil, detail: text)
        var effects = Effects()
        effects.escalations = [escalation]
        effects.events = [
            factory.status(parent, .chainLimitReached, detail: text, totals: totals),
            factory.escalation(escalation, overdueSeconds: nil),
        ]
        effects.audit = [factory.audit(parent, from: parent.state, to: parent.state, "chain limit: \(text)")]
        return effects
    }
}

/// Where a transfer went, for humans (investigators read escalations; logs never carry this).
func describe(_ transfer: OnwardTransfer) -> String {
    let target: String
    switch transfer.destination {
    case .iban(let destination):
        target =
            "account \(destination.iban) (\(destination.bankName ?? destination.bic?.description ?? "bank not in the routing table"))"
    case .cryptoWallet(let wallet):
        target = "crypto wallet \(wallet.address) on \(wallet.network)" + (wallet.exchange.map { " at \($0)" } ?? "")
    case .cashWithdrawal(let cash): target = "cash withdrawal" + (cash.location.map { " at \($0)" } ?? "")
    case .card(let card): target = "card" + (card.maskedPAN.map { " \($0)" } ?? "")
    }
    return "\(transfer.amount) to \(target) at \(transfer.occurredAt), reference \(transfer.reference)"
}
