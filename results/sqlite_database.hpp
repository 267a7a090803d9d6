#pragma once
// Small owners over the SQLite C API for the run history: a connection, a
// prepared statement, a transaction that rolls back unless committed. Every
// SQLite failure becomes one of tlsprobe's errors naming the database file:
// locked past the busy timeout, read-only, cannot open or write -> core::
// EnvironmentError; not a database or corrupt -> core::InputError; anything
// else (a bug in the SQL) -> std::runtime_error.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace tlsprobe::results::sqlite {

class Connection;

// A prepared statement; parameters are bound by their 1-based index, result
// columns read by their 0-based index, as in the C API.
class Statement {
public:
    Statement(const Connection& connection, sqlite3_stmt* statement);

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const std::optional<std::string>& value);   // nothing binds NULL

    // Runs to the next row: true when there is one, false when done.
    bool step();
    // Back to the start, keeping the bindings.
    void reset();

    [[nodiscard]] bool is_null(int column) const;
    [[nodiscard]] std::int64_t integer(int column) const;
    [[nodiscard]] double real(int column) const;
    [[nodiscard]] std::string text(int column) const;   // NULL reads as ""

private:
    struct Finalize {
        void operator()(sqlite3_stmt* statement) const;
    };
    const Connection* connection_;
    std::unique_ptr<sqlite3_stmt, Finalize> statement_;
};

enum class Access { read_write, read_only };

class Connection {
public:
    // Opens `file` (read-write creates it). Does not read it yet: SQLite
    // finds out whether it is a database on the first statement.
    static Connection open(const std::filesystem::path& file, Access access, std::chrono::milliseconds busy_timeout);

    // Runs statements that return no rows of interest.
    void exec(std::string_view sql, std::string_view doing);
    [[nodiscard]] Statement prepare(std::string_view sql) const;
    [[nodiscard]] std::int64_t last_insert_id() const;
    // Whether SQLite opened the file read-only although it was asked to write.
    [[nodiscard]] bool opened_read_only() const;

    // Throws the error `code` stands for, naming the file and what was being done.
    [[noreturn]] void fail(int code, std::string_view doing) const;

    [[nodiscard]] const std::filesystem::path& file() const { return file_; }
    [[nodiscard]] sqlite3* handle() const { return db_.get(); }

private:
    struct Close {
        void operator()(sqlite3* db) const;
    };
    Connection(std::unique_ptr<sqlite3, Close> db, std::filesystem::path file, std::chrono::milliseconds busy_timeout);

    std::unique_ptr<sqlite3, Close> db_;
    std::filesystem::path file_;
    std::chrono::milliseconds busy_timeout_;
};

// BEGIN IMMEDIATE: takes the write lock up front (waiting up to the busy
// timeout), so a transaction never fails half-way for a lock another writer
// holds. Rolls back on destruction unless committed.
class Transaction {
public:
    Transaction(Connection& connection, std::string_view doing);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();
    void commit();

private:
    Connection& connection_;
    std::string doing_;
    bool open_ = true;
};

}  // namespace tlsprobe::results::sqlite
