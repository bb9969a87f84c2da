"""Languages (issue 18): the console language a member of staff chose (NULL: their browser's), the language a
farmer's phone reads (what every farmer-facing text the server writes for it is in), and the language of each of
a force's update templates (officers are offered those in the farmer's language)."""

SQL = """
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('en', 'cy'));
ALTER TABLE devices ADD COLUMN language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'cy'));
ALTER TABLE update_templates ADD COLUMN language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'cy'));
"""
