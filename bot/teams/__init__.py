"""Partner teams: who belongs to which agency's team (`membership`), and how reviewers manage
teams (`manage`). Requests, tickets and integrations are owned by a team; bot.kernel.access
decides visibility from the teams an actor is on."""
