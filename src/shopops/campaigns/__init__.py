"""Campaign season: the marketing calendar, campaign plans with phases, budgets and targets, the team's tasks, content, 复盘 and team scorecards (docs/campaigns.md)."""
