"""Heat-wave and extreme-weather early warning: forecasts and vigilance (IBM), vulnerability,
call plans and the REFLEX protocol, cool places, backtests."""
