"""The team: users, the eight roles of the glossary and what each may use."""
