"""Customers: unified profiles, RFM and lifecycle segments, CLV, audiences and outreach."""
