-- 0011_feedback_answer: each vote names the stored answer it was cast on,
-- so that the report and the evaluation export read that answer's
-- language, mode and whether it was found. NULL for votes cast before this
-- migration and for votes on answers already purged. No foreign key:
-- answers and votes are purged by the same retention, in two statements.

ALTER TABLE feedback ADD COLUMN IF NOT EXISTS answer_id bigint;
