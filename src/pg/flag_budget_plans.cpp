#include "flag_budget_plans.hpp"

#include <algorithm>

extern "C" {
#include "utils/inval.h"
#include "utils/syscache.h"
}

namespace error_budget::pg {

namespace {

struct PlanKey {
    Oid trigger;
    Oid relation;
    int kind;
};
struct PlanEntry {
    PlanKey key;  // hash key
    bool retired;  // the table changed since the plans were made
    int count;
    SPIPlanPtr plans[MAX_KEPT_PLANS];
};
HTAB *kept = nullptr;  // lives in TopMemoryContext

// Plans retired while a statement may still be running one of them (a nested
// flag_budget on the same table, fired from inside a bookkeeping statement):
// freed when the transaction ends, when none can be.
SPIPlanPtr *retired = nullptr;  // in TopMemoryContext
int retired_count = 0;
int retired_capacity = 0;

void retire(const PlanEntry &entry) {
    if (retired_count + entry.count > retired_capacity) {
        const int capacity = std::max(16, 2 * (retired_count + entry.count));
        retired = static_cast<SPIPlanPtr *>(retired ? repalloc(retired, sizeof(SPIPlanPtr) * capacity)
                                                    : MemoryContextAlloc(TopMemoryContext, sizeof(SPIPlanPtr) * capacity));
        retired_capacity = capacity;
    }
    for (int i = 0; i < entry.count; ++i)
        if (entry.plans[i]) retired[retired_count++] = entry.plans[i];
}

// Relcache invalidation of `relation` (InvalidOid: of every relation). Only marks:
// it can come in the middle of anything, even while one of the plans runs.
void on_relcache_invalidation(Datum, Oid relation) {
    if (!kept) return;
    HASH_SEQ_STATUS scan;
    hash_seq_init(&scan, kept);
    while (auto *entry = static_cast<PlanEntry *>(hash_seq_search(&scan)))
        if (relation == InvalidOid || entry->key.relation == relation) entry->retired = true;
}

// A schema renamed: the plans name their table with its schema, and a rename of
// the schema invalidates no relation. (Rare enough to retire them all.)
void on_namespace_invalidation(Datum, int, uint32) { on_relcache_invalidation(Datum(0), InvalidOid); }

// At the end of a top-level transaction no statement runs any plan: the retired
// ones are freed, and so are the entries retired since (those of a dropped table or
// trigger would otherwise never be asked for again).
void free_retired(XactEvent event, void *) {
    if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT && event != XACT_EVENT_PREPARE) return;
    if (kept) {
        HASH_SEQ_STATUS scan;
        hash_seq_init(&scan, kept);
        while (auto *entry = static_cast<PlanEntry *>(hash_seq_search(&scan))) {
            if (!entry->retired) continue;
            for (int i = 0; i < entry->count; ++i)
                if (entry->plans[i]) SPI_freeplan(entry->plans[i]);
            hash_search(kept, &entry->key, HASH_REMOVE, nullptr);  // (allowed during a scan for the current entry)
        }
    }
    const int count = retired_count;
    retired_count = 0;
    for (int i = 0; i < count; ++i) SPI_freeplan(retired[i]);
}

PlanKey key_of(const TriggerData *data, FlagBudgetPlans kind) {
    PlanKey key{};  // zeroed: the key is hashed as bytes
    key.trigger = data->tg_trigger->tgoid;
    key.relation = RelationGetRelid(data->tg_relation);
    key.kind = static_cast<int>(kind);
    return key;
}

}  // namespace

SPIPlanPtr *kept_plans(const TriggerData *data, FlagBudgetPlans kind) {
    if (!kept) return nullptr;
    const PlanKey key = key_of(data, kind);
    auto *entry = static_cast<PlanEntry *>(hash_search(kept, &key, HASH_FIND, nullptr));
    if (!entry) return nullptr;
    if (!entry->retired) return entry->plans;
    retire(*entry);
    hash_search(kept, &key, HASH_REMOVE, nullptr);
    return nullptr;
}

SPIPlanPtr *keep_plans(const TriggerData *data, FlagBudgetPlans kind, const SPIPlanPtr *plans, int count) {
    Assert(count <= MAX_KEPT_PLANS);
    if (!kept) {
        HASHCTL control{};
        control.keysize = sizeof(PlanKey);
        control.entrysize = sizeof(PlanEntry);
        kept = hash_create("error_budget flag_budget plans", 16, &control, HASH_ELEM | HASH_BLOBS);
    }
    const PlanKey key = key_of(data, kind);
    bool found = false;
    auto *entry = static_cast<PlanEntry *>(hash_search(kept, &key, HASH_ENTER, &found));
    if (found) retire(*entry);  // (kept_plans was not asked first)
    // Kept only now that all of them were made: a set whose third prepare failed
    // (an error) leaves the first two in SPI's memory, which frees them, instead of
    // in CacheMemoryContext for the rest of the session, once per failing statement.
    for (int i = 0; i < count; ++i)
        if (plans[i]) SPI_keepplan(plans[i]);
    entry->retired = false;
    entry->count = count;
    for (int i = 0; i < count; ++i) entry->plans[i] = plans[i];
    return entry->plans;
}

void register_flag_budget_plan_callbacks() {
    CacheRegisterRelcacheCallback(on_relcache_invalidation, Datum(0));
    CacheRegisterSyscacheCallback(NAMESPACEOID, on_namespace_invalidation, Datum(0));
    RegisterXactCallback(free_retired, nullptr);
}

}  // namespace error_budget::pg
