"""What is printed from an audit: the notice-board sheet (公示), its seal, and a cadre's archive (档案)."""
