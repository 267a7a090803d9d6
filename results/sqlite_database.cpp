#include "results/sqlite_database.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cstring>
#include <limits>
#include <stdexcept>
#include <utility>

#include "core/errors.hpp"

namespace tlsprobe::results::sqlite {
namespace {

int as_int(std::size_t size)
{
    if (size > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        throw std::length_error("SQLite text or statement longer than 2 GiB");
    }
    return static_cast<int>(size);
}

}  // namespace

void Statement::Finalize::operator()(sqlite3_stmt* statement) const
{
    sqlite3_finalize(statement);
}

Statement::Statement(const Connection& connection, sqlite3_stmt* statement)
    : connection_(&connection), statement_(statement)
{
}

Statement& Statement::bind(int index, std::int64_t value)
{
    if (const int rc = sqlite3_bind_int64(statement_.get(), index, value); rc != SQLITE_OK) {
        connection_->fail(rc, "binding a value");
    }
    return *this;
}

Statement& Statement::bind(int index, double value)
{
    if (const int rc = sqlite3_bind_double(statement_.get(), index, value); rc != SQLITE_OK) {
        connection_->fail(rc, "binding a value");
    }
    return *this;
}

Statement& Statement::bind(int index, std::string_view value)
{
    if (const int rc = sqlite3_bind_text(statement_.get(), index, value.data(), as_int(value.size()), SQLITE_TRANSIENT);
        rc != SQLITE_OK) {
        connection_->fail(rc, "binding a value");
    }
    return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value)
{
    if (value) {
        return bind(index, std::string_view(*value));
    }
    if (const int rc = sqlite3_bind_null(statement_.get(), index); rc != SQLITE_OK) {
        connection_->fail(rc, "binding a value");
    }
    return *this;
}

bool Statement::step()
{
    const int rc = sqlite3_step(statement_.get());
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    // The statement's own code: sqlite3_step returns the extended one
    // (SQLITE_READONLY_DIRECTORY, SQLITE_BUSY_RECOVERY) since 3.7.15.
    const std::string sql = sqlite3_sql(statement_.get()) != nullptr ? sqlite3_sql(statement_.get()) : "";
    sqlite3_reset(statement_.get());
    connection_->fail(rc, "running \"" + sql.substr(0, sql.find_first_of("(\n")) + "\"");
}

void Statement::reset()
{
    // A failure was reported by the step that caused it.
    sqlite3_reset(statement_.get());
}

bool Statement::is_null(int column) const
{
    return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL;
}

std::int64_t Statement::integer(int column) const
{
    return sqlite3_column_int64(statement_.get(), column);
}

double Statement::real(int column) const
{
    return sqlite3_column_double(statement_.get(), column);
}

std::string Statement::text(int column) const
{
    const unsigned char* text = sqlite3_column_text(statement_.get(), column);
    if (text == nullptr) {
        return {};
    }
    const int bytes = sqlite3_column_bytes(statement_.get(), column);
    std::string out(static_cast<std::size_t>(bytes), '\0');
    std::memcpy(out.data(), text, out.size());
    return out;
}

void Connection::Close::operator()(sqlite3* db) const
{
    // v2: statements not yet finalized keep the connection alive until they
    // are, instead of the close failing with SQLITE_BUSY.
    sqlite3_close_v2(db);
}

Connection::Connection(std::unique_ptr<sqlite3, Close> db, std::filesystem::path file,
                       std::chrono::milliseconds busy_timeout)
    : db_(std::move(db)), file_(std::move(file)), busy_timeout_(busy_timeout)
{
}

Connection Connection::open(const std::filesystem::path& file, Access access, std::chrono::milliseconds busy_timeout)
{
    const int flags = (access == Access::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                      SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
    // Even a failed open returns a handle (for the message) unless out of memory.
    Connection connection(std::unique_ptr<sqlite3, Close>(raw), file, busy_timeout);
    if (raw == nullptr) {
        throw std::bad_alloc();
    }
    if (rc != SQLITE_OK) {
        connection.fail(rc, "opening it");
    }
    sqlite3_extended_result_codes(raw, 1);
    const auto timeout = std::min<std::chrono::milliseconds::rep>(busy_timeout.count(), std::numeric_limits<int>::max());
    sqlite3_busy_timeout(raw, static_cast<int>(std::max<std::chrono::milliseconds::rep>(timeout, 0)));
    return connection;
}

void Connection::exec(std::string_view sql, std::string_view doing)
{
    const std::string text(sql);
    if (const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr); rc != SQLITE_OK) {
        fail(sqlite3_extended_errcode(db_.get()), doing);
    }
}

Statement Connection::prepare(std::string_view sql) const
{
    sqlite3_stmt* statement = nullptr;
    if (const int rc = sqlite3_prepare_v2(db_.get(), sql.data(), as_int(sql.size()), &statement, nullptr);
        rc != SQLITE_OK) {
        sqlite3_finalize(statement);
        fail(rc, "preparing a query");
    }
    return {*this, statement};
}

std::int64_t Connection::last_insert_id() const
{
    return sqlite3_last_insert_rowid(db_.get());
}

bool Connection::opened_read_only() const
{
    return sqlite3_db_readonly(db_.get(), "main") == 1;
}

void Connection::fail(int code, std::string_view doing) const
{
    const std::string file = file_.string();
    const std::string message = db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(code);
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        throw core::EnvironmentError(fmt::format(
            "{}: locked by another process for longer than the busy timeout ({} ms) while {}", file,
            busy_timeout_.count(), doing));
    case SQLITE_READONLY:
        if (code == SQLITE_READONLY_DIRECTORY) {
            throw core::EnvironmentError(fmt::format(
                "{}: its directory {} is read-only, and SQLite needs to create the -wal and -shm files beside the "
                "database (while {})",
                file, file_.parent_path().empty() ? "." : file_.parent_path().string(), doing));
        }
        throw core::EnvironmentError(fmt::format("{}: cannot be written ({}) while {}", file, message, doing));
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_NOLFS:
    case SQLITE_PROTOCOL:
        throw core::EnvironmentError(fmt::format("{}: {} while {}", file, message, doing));
    case SQLITE_NOTADB:
        throw core::InputError(file + ": not a SQLite database");
    case SQLITE_CORRUPT:
        throw core::InputError(fmt::format("{}: the database is corrupt ({}) while {}", file, message, doing));
    default:
        throw std::runtime_error(fmt::format("{}: SQLite failed while {}: {} (code {})", file, doing, message, code));
    }
}

Transaction::Transaction(Connection& connection, std::string_view doing) : connection_(connection), doing_(doing)
{
    connection_.exec("BEGIN IMMEDIATE", doing_);
}

Transaction::~Transaction()
{
    if (open_) {
        // Nothing of the transaction reaches the file; a failed rollback
        // leaves SQLite to roll back when the connection closes.
        sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void Transaction::commit()
{
    connection_.exec("COMMIT", doing_);
    open_ = false;
}

}  // namespace tlsprobe::results::sqlite
