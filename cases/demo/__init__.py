"""The demo's cases for `seed_demo`: reference data (drive, campaigns, metrics, categories), stories, replay.

`reference` holds the drive with its seven campaigns, the tally metrics and the problem categories;
`stories` holds the sample cases as stories (data only); `replay` plays them through the real
workflow and clock, so the cases carry the events, deadlines and tally entries real use leaves.
"""
