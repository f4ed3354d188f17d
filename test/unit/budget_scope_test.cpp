// Unit tests of a budget's scope text (src/core/budget_scope.hpp).
#include "budget_scope.hpp"

#include <gtest/gtest.h>

using namespace error_budget::core;

TEST(BudgetScope, ValuesBareQuotedOrNull) {
    EXPECT_EQ(scope_value(std::string_view("acme-1.eu:x/y@z+w_v")), "acme-1.eu:x/y@z+w_v");
    EXPECT_EQ(scope_value(std::nullopt), "NULL");
    // the word NULL in any case is quoted, so that it never reads as SQL NULL
    EXPECT_EQ(scope_value(std::string_view("NULL")), "\"NULL\"");
    EXPECT_EQ(scope_value(std::string_view("nUlL")), "\"nUlL\"");
    EXPECT_EQ(scope_value(std::string_view("NULLS")), "NULLS");
    EXPECT_EQ(scope_value(std::string_view("")), "\"\"");
    EXPECT_EQ(scope_value(std::string_view("eu west")), "\"eu west\"");
    EXPECT_EQ(scope_value(std::string_view("a\"b\\c")), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(scope_value(std::string_view("caf\xc3\xa9")), "\"caf\xc3\xa9\"");  // not ASCII: quoted
}

TEST(BudgetScope, DimensionsInOrderWithoutVertical) {
    const std::vector<ScopeDimension> dims = {
        {"vertical", std::string_view("sales")}, {"tenant", std::string_view("acme")}, {"region", std::string_view("eu west")}};
    EXPECT_EQ(budget_scope(dims), "tenant=acme region=\"eu west\"");
    EXPECT_LE(budget_scope(dims).size() + 1, budget_scope_bound(dims));
    // vertical stays when its value is NULL or '*' (the vertical column says '*')
    EXPECT_EQ(budget_scope({{"vertical", std::nullopt}, {"tenant", std::string_view("a")}}), "vertical=NULL tenant=a");
    EXPECT_EQ(budget_scope({{"vertical", std::string_view("*")}}), "vertical=\"*\"");
    EXPECT_EQ(budget_scope({{"vertical", std::string_view("sales")}}), "");
    EXPECT_EQ(budget_scope({}), "");
}

TEST(BudgetScope, OneToOne) {
    // Values that would print alike without quoting stay apart.
    EXPECT_NE(budget_scope({{"a", std::string_view("x b=y")}}), budget_scope({{"a", std::string_view("x")}, {"b", std::string_view("y")}}));
    EXPECT_NE(budget_scope({{"a", std::nullopt}}), budget_scope({{"a", std::string_view("NULL")}}));
    const std::vector<ScopeDimension> worst = {{"t", std::string_view("\"\"\"\"")}, {"u", std::nullopt}};
    EXPECT_LE(budget_scope(worst).size() + 1, budget_scope_bound(worst));
}
