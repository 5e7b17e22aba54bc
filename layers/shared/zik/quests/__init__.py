"""The quests domain: quests, their recurring tasks and what is due when."""
