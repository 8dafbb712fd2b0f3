-- Gongkai storage, second version: everything the rules make public.
--
-- Conventions
-- * Published records are append-only: triggers refuse UPDATE and DELETE.
-- * A correction is a new row for the same key with version = previous + 1,
--   `replaces` = the id of the row it corrects and `correction_reason` saying
--   why. The current record of a key is its highest version; older versions
--   stay readable (and are shown as history).
-- * Dates are `YYYY-MM-DD`; times are RFC 3339 with offset.
-- * Lists inside a column are separated by ';' (qualifications, licences…).

-- Departments form a hierarchy (province → city → district). `code` is the
-- permalink key (an administrative-division-like code); departments created
-- implicitly by publishing a draw (first schema version) may lack it.
ALTER TABLE departments ADD COLUMN code TEXT;
ALTER TABLE departments ADD COLUMN level TEXT CHECK (level IN ('province', 'city', 'district'));
CREATE UNIQUE INDEX departments_by_code ON departments (code) WHERE code IS NOT NULL;

-- 随机抽查事项清单: one row per version of one item of a department's list.
CREATE TABLE items (
    id                INTEGER PRIMARY KEY,
    department_id     INTEGER NOT NULL REFERENCES departments (id),
    item_code         TEXT    NOT NULL,
    version           INTEGER NOT NULL CHECK (version >= 1),
    seq               INTEGER NOT NULL,              -- 序号 in the list
    name              TEXT    NOT NULL,
    content           TEXT    NOT NULL,              -- 检查内容
    legal_basis       TEXT    NOT NULL,              -- 依据
    qualification     TEXT    NOT NULL,              -- 检查人员资格限制
    method            TEXT    NOT NULL,              -- 现场核查;书面审查;抽样检验
    status            TEXT    NOT NULL CHECK (status IN ('active', 'withdrawn')),
    effective_from    TEXT    NOT NULL,
    published_at      TEXT    NOT NULL,
    replaces          INTEGER REFERENCES items (id),
    correction_reason TEXT,
    UNIQUE (department_id, item_code, version)
);

-- 执法检查人员名录库.
CREATE TABLE inspectors (
    id                INTEGER PRIMARY KEY,
    department_id     INTEGER NOT NULL REFERENCES departments (id),
    certificate       TEXT    NOT NULL,              -- 执法证号
    version           INTEGER NOT NULL CHECK (version >= 1),
    name              TEXT    NOT NULL,
    unit              TEXT    NOT NULL,
    gender            TEXT    NOT NULL CHECK (gender IN ('男', '女')),
    post              TEXT    NOT NULL,              -- 岗位
    qualifications    TEXT    NOT NULL,
    valid_from        TEXT    NOT NULL,
    valid_until       TEXT    NOT NULL,
    conflicts         TEXT    NOT NULL DEFAULT '',   -- declared interests: credit codes
    status            TEXT    NOT NULL CHECK (status IN ('active', 'left')),
    published_at      TEXT    NOT NULL,
    replaces          INTEGER REFERENCES inspectors (id),
    correction_reason TEXT,
    UNIQUE (certificate, version)
);
CREATE INDEX inspectors_by_department ON inspectors (department_id, unit);

-- 检查对象名录库 (enterprises).
CREATE TABLE enterprises (
    id                INTEGER PRIMARY KEY,
    credit_code       TEXT    NOT NULL,              -- 统一社会信用代码
    version           INTEGER NOT NULL CHECK (version >= 1),
    name              TEXT    NOT NULL,
    department_id     INTEGER NOT NULL REFERENCES departments (id),  -- supervising department
    region            TEXT    NOT NULL,
    industry          TEXT    NOT NULL,
    licences          TEXT    NOT NULL DEFAULT '',
    abnormal          INTEGER NOT NULL CHECK (abnormal IN (0, 1)),           -- 经营异常名录
    serious_violation INTEGER NOT NULL CHECK (serious_violation IN (0, 1)),  -- 严重违法失信名单
    penalised         INTEGER NOT NULL CHECK (penalised IN (0, 1)),          -- 已受行政处罚
    credit_class      TEXT    NOT NULL CHECK (credit_class IN ('A', 'B', 'C', 'D')),
    published_at      TEXT    NOT NULL,
    replaces          INTEGER REFERENCES enterprises (id),
    correction_reason TEXT,
    UNIQUE (credit_code, version)
);
CREATE INDEX enterprises_by_department ON enterprises (department_id);

-- Substring search on enterprise names that works for Chinese (3+ characters
-- through the index; shorter queries fall back to LIKE on this table).
CREATE VIRTUAL TABLE enterprise_names USING fts5 (
    name, content = 'enterprises', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER enterprises_fts_insert AFTER INSERT ON enterprises
BEGIN
    INSERT INTO enterprise_names (rowid, name) VALUES (new.id, new.name);
END;

-- 年度检查计划 and its lines (one per item: stratum, ratio, frequency).
CREATE TABLE plans (
    id                     INTEGER PRIMARY KEY,
    department_id          INTEGER NOT NULL REFERENCES departments (id),
    plan_code              TEXT    NOT NULL,
    version                INTEGER NOT NULL CHECK (version >= 1),
    year                   INTEGER NOT NULL,
    title                  TEXT    NOT NULL,
    scope                  TEXT    NOT NULL,
    inspector_requirements TEXT    NOT NULL,
    window_start           TEXT    NOT NULL,
    window_end             TEXT    NOT NULL,
    published_at           TEXT    NOT NULL,
    replaces               INTEGER REFERENCES plans (id),
    correction_reason      TEXT,
    UNIQUE (plan_code, version)
);
CREATE INDEX plans_by_year ON plans (year DESC, department_id);

CREATE TABLE plan_lines (
    plan_id      INTEGER NOT NULL REFERENCES plans (id),
    line         INTEGER NOT NULL,
    item_code    TEXT    NOT NULL,
    stratum      TEXT    NOT NULL,   -- which objects (e.g. 信用风险 C 类)
    ratio        TEXT    NOT NULL,   -- e.g. '10%'
    frequency    TEXT    NOT NULL,   -- e.g. '每年 1 次'
    object_count INTEGER,            -- planned number of objects, when fixed
    PRIMARY KEY (plan_id, line)
);

-- A draw whose commitment is published and whose randomness is not yet known.
-- `input_json` is the committed DrawInput exactly as published.
CREATE TABLE draw_commitments (
    draw_id       TEXT    PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    plan_code     TEXT,
    title         TEXT    NOT NULL,
    draw_date     TEXT    NOT NULL,
    commitment    TEXT    NOT NULL,
    input_json    TEXT    NOT NULL,
    committed_at  TEXT    NOT NULL
);

-- Completed draws (table `draws`, first version) gain their plan, year and a
-- precomputed page view (JSON of app::view::DrawView), so that the draw page
-- does not re-parse the whole record on every request.
ALTER TABLE draws ADD COLUMN plan_code TEXT;
ALTER TABLE draws ADD COLUMN view_json TEXT;
CREATE INDEX draws_by_department ON draws (department_id, draw_date DESC);

-- Every pool object of every completed draw (derived from the record when it
-- is published, in the same transaction): for an enterprise's own page.
CREATE TABLE draw_objects (
    draw_id          TEXT    NOT NULL REFERENCES draws (id),
    credit_code      TEXT    NOT NULL,
    stratum          TEXT    NOT NULL,
    outcome          TEXT    NOT NULL CHECK (outcome IN ('selected', 'not_selected', 'excluded')),
    position         INTEGER,          -- when selected
    team             TEXT,             -- when selected: certificates, ';'
    exclusion_reason TEXT,             -- when excluded: the record's reason code
    PRIMARY KEY (draw_id, credit_code)
) WITHOUT ROWID;
CREATE INDEX draw_objects_by_code ON draw_objects (credit_code);

-- 检查结果: one row per version of the result of inspecting one object in one draw.
CREATE TABLE results (
    id                     INTEGER PRIMARY KEY,
    result_code            TEXT    NOT NULL,   -- permalink key
    version                INTEGER NOT NULL CHECK (version >= 1),
    draw_id                TEXT    NOT NULL REFERENCES draws (id),
    credit_code            TEXT    NOT NULL,
    enterprise_name        TEXT    NOT NULL,   -- as at the inspection
    department_id          INTEGER NOT NULL REFERENCES departments (id),
    year                   INTEGER NOT NULL,
    item_codes             TEXT    NOT NULL,
    inspectors             TEXT    NOT NULL,   -- certificates, ';'
    inspected_on           TEXT    NOT NULL,
    reported_on            TEXT    NOT NULL,
    delivered_on           TEXT,
    entered_on             TEXT,
    category               TEXT    NOT NULL CHECK (category IN (
        '未发现问题', '发现问题已责令改正', '发现问题待后续处理', '未按规定公示应当公示的信息',
        '通过登记的住所（经营场所）无法联系', '已关闭停业或正在组织清算', '不配合检查情节严重',
        '未发现开展本次抽查涉及的经营活动')),
    findings               TEXT    NOT NULL,
    rectification_deadline TEXT,
    rectification_status   TEXT    NOT NULL CHECK (rectification_status IN ('none', 'pending', 'done', 'overdue')),
    penalty_case           TEXT,
    published_at           TEXT    NOT NULL,
    replaces               INTEGER REFERENCES results (id),
    correction_reason      TEXT,
    UNIQUE (result_code, version)
);
CREATE INDEX results_by_code ON results (credit_code);
CREATE INDEX results_by_year ON results (year DESC, department_id, category);
CREATE INDEX results_by_draw ON results (draw_id);

-- Append-only: published rows never change and are never deleted.
CREATE TRIGGER items_append_only_update BEFORE UPDATE ON items
BEGIN SELECT RAISE(ABORT, 'published items are append-only'); END;
CREATE TRIGGER items_append_only_delete BEFORE DELETE ON items
BEGIN SELECT RAISE(ABORT, 'published items are append-only'); END;
CREATE TRIGGER inspectors_append_only_update BEFORE UPDATE ON inspectors
BEGIN SELECT RAISE(ABORT, 'published inspectors are append-only'); END;
CREATE TRIGGER inspectors_append_only_delete BEFORE DELETE ON inspectors
BEGIN SELECT RAISE(ABORT, 'published inspectors are append-only'); END;
CREATE TRIGGER enterprises_append_only_update BEFORE UPDATE ON enterprises
BEGIN SELECT RAISE(ABORT, 'published enterprises are append-only'); END;
CREATE TRIGGER enterprises_append_only_delete BEFORE DELETE ON enterprises
BEGIN SELECT RAISE(ABORT, 'published enterprises are append-only'); END;
CREATE TRIGGER plans_append_only_update BEFORE UPDATE ON plans
BEGIN SELECT RAISE(ABORT, 'published plans are append-only'); END;
CREATE TRIGGER plans_append_only_delete BEFORE DELETE ON plans
BEGIN SELECT RAISE(ABORT, 'published plans are append-only'); END;
CREATE TRIGGER plan_lines_append_only_update BEFORE UPDATE ON plan_lines
BEGIN SELECT RAISE(ABORT, 'published plans are append-only'); END;
CREATE TRIGGER plan_lines_append_only_delete BEFORE DELETE ON plan_lines
BEGIN SELECT RAISE(ABORT, 'published plans are append-only'); END;
CREATE TRIGGER draw_commitments_append_only_update BEFORE UPDATE ON draw_commitments
BEGIN SELECT RAISE(ABORT, 'published commitments are append-only'); END;
CREATE TRIGGER draw_commitments_append_only_delete BEFORE DELETE ON draw_commitments
BEGIN SELECT RAISE(ABORT, 'published commitments are append-only'); END;
CREATE TRIGGER draw_objects_append_only_update BEFORE UPDATE ON draw_objects
BEGIN SELECT RAISE(ABORT, 'published draws are append-only'); END;
CREATE TRIGGER draw_objects_append_only_delete BEFORE DELETE ON draw_objects
BEGIN SELECT RAISE(ABORT, 'published draws are append-only'); END;
CREATE TRIGGER results_append_only_update BEFORE UPDATE ON results
BEGIN SELECT RAISE(ABORT, 'published results are append-only'); END;
CREATE TRIGGER results_append_only_delete BEFORE DELETE ON results
BEGIN SELECT RAISE(ABORT, 'published results are append-only'); END;
