"""Funnel reports: pure figures and statistics, the reads behind them, pages and exports."""
