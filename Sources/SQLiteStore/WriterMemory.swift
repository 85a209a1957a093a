/// What a ledger's user keeps in memory beside the writer connection across transactions (the
/// relay keeps decoded requests). It lives under the writer's lock and is told how each write
/// transaction ended, so it never holds what was not committed.
public protocol WriterMemory: AnyObject {
    /// The transaction committed: what it staged stays.
    func commit()
    /// The transaction rolled back: drop what it staged.
    func rollback()
}
