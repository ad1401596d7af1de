/**
 * Schema changes: named, ordered, append-only. Never edit a migration that has shipped;
 * add a new one. Applied migrations are recorded in `schema_migrations`.
 * README ("The database") documents every table.
 */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'requests_rejects_files',
    sql: `
      CREATE TABLE ingested_files (
        file_sha256 VARCHAR PRIMARY KEY,
        path        VARCHAR NOT NULL,
        size_bytes  BIGINT NOT NULL,
        format      VARCHAR NOT NULL,
        read_count  BIGINT NOT NULL,
        stored      BIGINT NOT NULL,
        duplicates  BIGINT NOT NULL,
        rejected    BIGINT NOT NULL,
        ingested_at TIMESTAMP NOT NULL
      );
      CREATE TABLE requests (
        request_id        VARCHAR PRIMARY KEY,
        ts                TIMESTAMP,
        feature           VARCHAR NOT NULL,
        tenant_id         VARCHAR,
        user_id           VARCHAR,
        requested_model   VARCHAR,
        served_model      VARCHAR,
        model             VARCHAR NOT NULL,
        provider          VARCHAR,
        system_prompt     VARCHAR,
        messages          JSON,
        has_prompt_text   BOOLEAN NOT NULL,
        tools             JSON,
        tool_count        INTEGER NOT NULL,
        response_format   JSON,
        max_tokens        BIGINT,
        temperature       DOUBLE,
        stream            BOOLEAN,
        prompt_tokens     BIGINT,
        completion_tokens BIGINT,
        reasoning_tokens  BIGINT,
        cached_tokens     BIGINT,
        cost_usd          DOUBLE,
        latency_ms        DOUBLE,
        ttft_ms           DOUBLE,
        finish_reason     VARCHAR,
        status            VARCHAR,
        error             VARCHAR,
        metadata          JSON,
        source_format     VARCHAR NOT NULL,
        source_file       VARCHAR NOT NULL,
        source_line       BIGINT NOT NULL,
        content_sha256    VARCHAR NOT NULL,
        raw               JSON,
        ingested_at       TIMESTAMP NOT NULL
      );
      CREATE TABLE rejects (
        file_sha256 VARCHAR NOT NULL,
        source_file VARCHAR NOT NULL,
        line        BIGINT NOT NULL,
        field       VARCHAR NOT NULL,
        reason      VARCHAR NOT NULL,
        raw         VARCHAR,
        rejected_at TIMESTAMP NOT NULL
      );
    `,
  },
  {
    id: 2,
    name: 'profiles',
    sql: `
      CREATE TABLE profiles (
        request_id          VARCHAR PRIMARY KEY,
        classifier_version  VARCHAR NOT NULL,
        task_type           VARCHAR NOT NULL,
        domain              VARCHAR NOT NULL,
        reasoning           DOUBLE NOT NULL,
        output_format       VARCHAR NOT NULL,
        structured_output   BOOLEAN NOT NULL,
        latency_sensitivity DOUBLE NOT NULL,
        safety_risk         DOUBLE NOT NULL,
        policy_sensitivity  DOUBLE NOT NULL,
        context_tokens      BIGINT NOT NULL,
        needs_tools         BOOLEAN NOT NULL,
        multimodal          BOOLEAN NOT NULL,
        language            VARCHAR NOT NULL,
        complexity          DOUBLE NOT NULL,
        signals             VARCHAR[] NOT NULL,
        classified_at       TIMESTAMP NOT NULL
      );
    `,
  },
  {
    id: 3,
    name: 'catalog',
    sql: `
      CREATE SEQUENCE catalog_snapshot_seq START 1;
      CREATE TABLE catalog_snapshots (
        snapshot_id   INTEGER PRIMARY KEY DEFAULT nextval('catalog_snapshot_seq'),
        source        VARCHAR NOT NULL,
        origin        VARCHAR,
        fetched_at    TIMESTAMP NOT NULL,
        snapshot_date DATE NOT NULL,
        model_count   INTEGER NOT NULL,
        sha256        VARCHAR NOT NULL
      );
      CREATE TABLE catalog_models (
        snapshot_id              INTEGER NOT NULL,
        id                       VARCHAR NOT NULL,
        canonical_slug           VARCHAR,
        name                     VARCHAR NOT NULL,
        created                  DATE,
        context_length           BIGINT,
        max_completion_tokens    BIGINT,
        input_modalities         VARCHAR[] NOT NULL,
        output_modalities        VARCHAR[] NOT NULL,
        price_prompt             DOUBLE NOT NULL,
        price_completion         DOUBLE NOT NULL,
        price_request            DOUBLE NOT NULL,
        price_image              DOUBLE NOT NULL,
        price_web_search         DOUBLE NOT NULL,
        price_internal_reasoning DOUBLE NOT NULL,
        price_input_cache_read   DOUBLE,
        price_input_cache_write  DOUBLE,
        price_overrides          JSON NOT NULL,
        price_unknown            BOOLEAN NOT NULL,
        supported_parameters     VARCHAR[] NOT NULL,
        is_moderated             BOOLEAN,
        expiration_date          VARCHAR,
        knowledge_cutoff         VARCHAR,
        reasoning_supported      BOOLEAN NOT NULL,
        reasoning_mandatory      BOOLEAN NOT NULL,
        raw                      JSON NOT NULL,
        PRIMARY KEY (snapshot_id, id)
      );
      CREATE TABLE model_scores (
        model_id    VARCHAR NOT NULL,
        capability  VARCHAR NOT NULL,
        score       DOUBLE,
        source      VARCHAR NOT NULL,
        metric      VARCHAR NOT NULL,
        date        VARCHAR NOT NULL,
        raw         DOUBLE,
        n           BIGINT,
        origin      VARCHAR NOT NULL,
        bundle      VARCHAR,
        imported_at TIMESTAMP NOT NULL
      );
    `,
  },
  {
    // id 5: 3 and 4 are reserved by stages in flight. Rows stored before it kept full text.
    id: 5,
    name: 'requests_store_text',
    sql: `ALTER TABLE requests ADD COLUMN store_text VARCHAR DEFAULT 'full';`,
  },
  {
    id: 6,
    name: 'requests_without_pk_ingest_runs',
    // Ingest appends rows straight into `requests` and removes repeats itself (one id, one row,
    // first copy wins), which a PRIMARY KEY would refuse mid-append; the key index also cost
    // memory and time at millions of rows. DuckDB cannot drop a constraint, so the table is
    // rebuilt with the same columns. CREATE TABLE AS drops column defaults: store_text's (from
    // migration 5) is set again, and ingest writes it explicitly. ingest_runs records each file
    // run, with its sample rate.
    sql: `
      CREATE TABLE requests_v6 AS SELECT * FROM requests LIMIT 0;
      INSERT INTO requests_v6 SELECT * FROM requests;
      DROP TABLE requests;
      ALTER TABLE requests_v6 RENAME TO requests;
      ALTER TABLE requests ALTER COLUMN request_id SET NOT NULL;
      ALTER TABLE requests ALTER COLUMN feature SET NOT NULL;
      ALTER TABLE requests ALTER COLUMN model SET NOT NULL;
      ALTER TABLE requests ALTER COLUMN has_prompt_text SET NOT NULL;
      ALTER TABLE requests ALTER COLUMN tool_count SET NOT NULL;
      ALTER TABLE requests ALTER COLUMN source_format SET NOT NULL;
      ALTER TABLE requests ALTER COLUMN source_file SET NOT NULL;
      ALTER TABLE requests ALTER COLUMN source_line SET NOT NULL;
      ALTER TABLE requests ALTER COLUMN content_sha256 SET NOT NULL;
      ALTER TABLE requests ALTER COLUMN ingested_at SET NOT NULL;
      ALTER TABLE requests ALTER COLUMN store_text SET DEFAULT 'full';
      CREATE TABLE ingest_runs (
        file_sha256 VARCHAR NOT NULL,
        path        VARCHAR NOT NULL,
        sample_rate DOUBLE NOT NULL,
        read_count  BIGINT NOT NULL,
        stored      BIGINT NOT NULL,
        duplicates  BIGINT NOT NULL,
        rejected    BIGINT NOT NULL,
        sampled_out BIGINT NOT NULL,
        ingested_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP NOT NULL
      );
    `,
  },
  {
    id: 7,
    name: 'ingested_files_options',
    // What a file was read with (pnyx version, format, field mapping, sample rate, text storage):
    // a file whose content and options match a stored row is not read again. Rows stored before
    // this migration have none, so their files are read once more.
    sql: `ALTER TABLE ingested_files ADD COLUMN options VARCHAR;`,
  },
  {
    id: 8,
    name: 'profiles_without_pk',
    // The PRIMARY KEY's index lives in DuckDB's memory (~60 bytes per profile): at 10M requests
    // under the default 1 GB memory_limit the INSERT into profiles ran out of memory. The profile
    // writer keeps one profile per request itself (src/db/profiles.ts: first staged copy of each
    // id; new ids only at ingest, old ones deleted first on re-classification). DuckDB cannot drop
    // a constraint, so the table is rebuilt with the same columns, types and NOT NULLs.
    sql: `
      CREATE TABLE profiles_v8 (
        request_id          VARCHAR NOT NULL,
        classifier_version  VARCHAR NOT NULL,
        task_type           VARCHAR NOT NULL,
        domain              VARCHAR NOT NULL,
        reasoning           DOUBLE NOT NULL,
        output_format       VARCHAR NOT NULL,
        structured_output   BOOLEAN NOT NULL,
        latency_sensitivity DOUBLE NOT NULL,
        safety_risk         DOUBLE NOT NULL,
        policy_sensitivity  DOUBLE NOT NULL,
        context_tokens      BIGINT NOT NULL,
        needs_tools         BOOLEAN NOT NULL,
        multimodal          BOOLEAN NOT NULL,
        language            VARCHAR NOT NULL,
        complexity          DOUBLE NOT NULL,
        signals             VARCHAR[] NOT NULL,
        classified_at       TIMESTAMP NOT NULL
      );
      INSERT INTO profiles_v8 SELECT * FROM profiles;
      DROP TABLE profiles;
      ALTER TABLE profiles_v8 RENAME TO profiles;
    `,
  },
  {
    id: 9,
    name: 'requests_text_zstd',
    // The long-text columns compressed with ZSTD (database.ts ZSTD_COLUMNS, STORAGE_VERSION). In
    // DuckDB's automatic choice one string over 4 KB in a row group leaves the whole column
    // uncompressed, each ~240 rows with a 256 KB overflow block of their own: at 200k bench
    // requests, 838 such blocks held 41 MB of long prompts in 210 MB. DuckDB sets a column's
    // compression only when the table is created, so the table is rebuilt with the same columns,
    // types, NOT NULLs and default. Files in DuckDB's older format ignore the setting.
    sql: `
      CREATE TABLE requests_v9 (
        request_id        VARCHAR NOT NULL,
        ts                TIMESTAMP,
        feature           VARCHAR NOT NULL,
        tenant_id         VARCHAR,
        user_id           VARCHAR,
        requested_model   VARCHAR,
        served_model      VARCHAR,
        model             VARCHAR NOT NULL,
        provider          VARCHAR,
        system_prompt     VARCHAR USING COMPRESSION zstd,
        messages          JSON USING COMPRESSION zstd,
        has_prompt_text   BOOLEAN NOT NULL,
        tools             JSON,
        tool_count        INTEGER NOT NULL,
        response_format   JSON,
        max_tokens        BIGINT,
        temperature       DOUBLE,
        stream            BOOLEAN,
        prompt_tokens     BIGINT,
        completion_tokens BIGINT,
        reasoning_tokens  BIGINT,
        cached_tokens     BIGINT,
        cost_usd          DOUBLE,
        latency_ms        DOUBLE,
        ttft_ms           DOUBLE,
        finish_reason     VARCHAR,
        status            VARCHAR,
        error             VARCHAR,
        metadata          JSON,
        source_format     VARCHAR NOT NULL,
        source_file       VARCHAR NOT NULL,
        source_line       BIGINT NOT NULL,
        content_sha256    VARCHAR NOT NULL,
        raw               JSON USING COMPRESSION zstd,
        ingested_at       TIMESTAMP NOT NULL,
        store_text        VARCHAR DEFAULT 'full'
      );
      INSERT INTO requests_v9 SELECT * FROM requests;
      DROP TABLE requests;
      ALTER TABLE requests_v9 RENAME TO requests;
    `,
  },
];
