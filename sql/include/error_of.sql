-- pg_temp.error_of(statement): runs a statement and reports "SQLSTATE: message"
-- (or "no error"), so that a suite can list many expected errors in one table.
-- Included by the suites with \i (pg_temp functions live as long as the session).
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
