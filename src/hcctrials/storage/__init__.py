"""hcctrials.storage"""
