-- The supervisor leg's second tag (the phone's on an originated leg, ours on a dialled one), from
-- Kamailio's dialog start: in-dialog requests on the leg are believed only when they name both tags.
ALTER TABLE supervision_session ADD COLUMN supervisor_to_tag VARCHAR(128);
